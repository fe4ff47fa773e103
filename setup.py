"""Build the optional C extensions (keyword matcher, JPEG label splice) (everything else is configured in pyproject.toml).

``aibeian.keywords._cmatch`` is the matcher's hot path in C (src/aibeian/keywords/_native/cmatch.c, CPython C
API only). It is optional: where no C compiler is available the install still succeeds and the matcher
falls back to its pure-Python engine, which gives the same results more slowly (`Matcher.engine` says which
one runs).

``aibeian.corpus._cjsonl`` reads blocks of JSONL lines for the corpus scan in one pass (validation, the text
field, lengths, the sample's item hashes; src/aibeian/corpus/_native/jsonl.c). Optional in the same way:
without it the scan reads JSONL with pyarrow and gives the same results.

``aibeian.labeling._jpegsplice`` puts a JPEG label plate into the entropy-coded data without re-coding the
rest of the picture (src/aibeian/labeling/_native/jpegsplice.c, CPython C API only). Optional too: without
it the plate goes in through libjpeg-turbo's lossless transformer, or a full re-encode (_jpeg_splice.py).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "aibeian.keywords._cmatch",
            sources=["src/aibeian/keywords/_native/cmatch.c"],
            extra_compile_args=["-O3"],
            optional=True,
        ),
        Extension(
            "aibeian.corpus._cjsonl",
            sources=["src/aibeian/corpus/_native/jsonl.c"],
            extra_compile_args=["-O3"],
            optional=True,
        ),
        Extension(
            "aibeian.labeling._jpegsplice",
            sources=["src/aibeian/labeling/_native/jpegsplice.c"],
            extra_compile_args=["-O3"],
            optional=True,
        ),
    ]
)
