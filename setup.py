"""Build the optional C extension of the keyword matcher (everything else is configured in pyproject.toml).

``aibeian.keywords._cmatch`` is the matcher's hot path in C (src/aibeian/keywords/_native/cmatch.c, CPython C
API only). It is optional: where no C compiler is available the install still succeeds and the matcher
falls back to its pure-Python engine, which gives the same results more slowly (`Matcher.engine` says which
one runs).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "aibeian.keywords._cmatch",
            sources=["src/aibeian/keywords/_native/cmatch.c"],
            extra_compile_args=["-O3"],
            optional=True,
        )
    ]
)
