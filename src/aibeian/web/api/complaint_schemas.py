"""The shapes of ``/api/complaints``: what a reporter sends and may read back, and the staff's view."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AssignIn",
    "AttachmentIn",
    "AttachmentOut",
    "ComplaintCreate",
    "ComplaintPage",
    "ComplaintReceipt",
    "ComplaintStaff",
    "ComplaintStatusPublic",
    "NoteOut",
    "StatusIn",
    "TextIn",
]


class AttachmentIn(BaseModel):
    filename: str = Field(max_length=255)
    content_type: str = Field(default="", max_length=100)
    data_base64: str = Field(description="The file's bytes, base64-encoded.")


class ComplaintCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"category": "harmful_content", "description": "……"}]}
    )

    category: str = Field(description="A category id of the published policy (see the intake page).")
    description: str
    contact: str = ""
    attachments: list[AttachmentIn] = Field(default_factory=list)


class ComplaintReceipt(BaseModel):
    tracking: str
    created: bool
    status: str
    received_at: str
    due: dt.date | None
    status_url: str


class ComplaintStatusPublic(BaseModel):
    tracking: str
    category: str
    status: str
    status_zh: str
    received_at: str
    clock: str
    due: dt.date | None
    reply: str
    replied_at: str


class NoteOut(BaseModel):
    at: str
    author: str
    text: str


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str


class ComplaintStaff(ComplaintStatusPublic):
    id: int
    description: str
    contact: str
    assignee: str | None
    days_left: int | None
    working_days: int
    notes: list[NoteOut] = Field(default_factory=list)
    attachments: list[AttachmentOut] = Field(default_factory=list)


class ComplaintPage(BaseModel):
    items: list[ComplaintStaff]
    total: int


class AssignIn(BaseModel):
    assignee_id: int | None


class StatusIn(BaseModel):
    to: str


class TextIn(BaseModel):
    text: str
