"""After the filing: filing numbers (parse and validate) and display checks of the pages that must show them."""

from aibeian.obligations._display import check_page, display_check
from aibeian.obligations._filing_numbers import ParsedNumber, find_numbers, parse_filing_number

__all__ = ["ParsedNumber", "check_page", "display_check", "find_numbers", "parse_filing_number"]
