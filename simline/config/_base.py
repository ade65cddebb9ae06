"""Shared pieces of the config models: the strict base model, number types and errors.

Validation errors raised here carry a one-line message in ``ctx["msg"]`` and, in
``ctx["sub"]``, the path below the validated value that the message is about (for instance
the unknown key); :mod:`simline.config.loader` turns them into :class:`~simline.errors.ConfigError`.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, NoReturn

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "MONEY_MAX",
    "NAME_RE",
    "OPEN_CALL_RE",
    "RATE_MAX",
    "WHOLE_MAX",
    "Money",
    "Name",
    "NonNegative",
    "Number",
    "Positive",
    "Rate",
    "StrictModel",
    "Whole",
    "at_least",
    "cut_off_message",
    "fail",
    "got",
    "name_list",
    "whole_number",
]

#: Station and product names: letters, digits, ``_`` and ``-`` (no dots: they separate paths).
NAME_RE = re.compile(r"^\w[\w-]*$")


#: The start of a call whose closing parenthesis is missing, e.g. ``"tri(1"``: what YAML leaves
#: of an unquoted short form in a flow mapping, where the comma ends the value.
OPEN_CALL_RE = re.compile(r"^\s*[A-Za-z_]\w*\s*\([^)]*$")


def cut_off_message(text: str) -> str:
    """Return the hint for a short form that a YAML flow mapping or list cut at its first comma."""
    return (
        f"{text!r} is cut off: in a YAML flow mapping or list ({{...}} or [...]) a comma "
        'ends the value, so quote the short form there, e.g. "tri(6, 8, 12)"'
    )


def fail(message: str, *sub: str | int) -> NoReturn:
    """Raise a validation error with ``message`` about the sub-path ``sub`` of the value."""
    raise PydanticCustomError("simline", "{msg}", {"msg": message, "sub": list(sub)})


def got(value: object) -> str:
    """Render an offending value briefly, for a message."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def name_list(names: Sequence[str]) -> str:
    """Join names as ``a, b, c`` for a message."""
    return ", ".join(names) if names else "(none)"


def _unquote(text: str) -> str:
    """``", written without quotes"`` when ``text`` reads as a number, else nothing."""
    try:
        float(text.replace("_", ""))
    except ValueError:
        return ""
    return ", written without quotes"


def _number(value: Any) -> Any:
    if isinstance(value, str):
        fail(f"expected a number{_unquote(value)} (got {got(value)})")
    if isinstance(value, bool) or not isinstance(value, int | float):
        fail(f"expected a number (got {got(value)})")
    if isinstance(value, int) and abs(value) > sys.float_info.max:
        fail(f"expected a finite number (got {got(value)})")
    if isinstance(value, float) and not math.isfinite(value):
        fail(f"expected a finite number (got {got(value)})")
    return value


#: The largest whole number a config takes (a signed 64-bit integer, what the engines count in).
WHOLE_MAX = 2**63 - 1

#: The largest amount of money a config takes, in its currency: a machine of a billion US
#: dollars even in the weakest traded currencies (about 10**6 per USD), with headroom, and
#: small enough that every product of the cost model stays a finite float.
MONEY_MAX = 1e15

#: The largest share (rate) a config takes: 1,000 %, above any tariff, interest or carrying
#: rate on record outside hyperinflation.
RATE_MAX = 10.0


def whole_number(value: Any) -> int:
    """Check a whole number as every whole-number key takes it; return it as an ``int``.

    A string is not a number (``"2"`` is refused like ``!!str 2``), nor is a boolean; a
    float is taken when it is whole (``2.0``, ``1e3``).
    """
    if isinstance(value, str):
        fail(f"expected a whole number{_unquote(value)} (got {got(value)})")
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not value.is_integer())
    ):
        fail(f"expected a whole number (got {got(value)})")
    if abs(value) > WHOLE_MAX:
        fail(f"expected a whole number of at most {WHOLE_MAX:_} (got {got(value)})")
    return int(value)


def _whole(value: Any) -> Any:
    return whole_number(value)


def at_least(minimum: float, why: str) -> AfterValidator:
    """Check that a number > 0 is also >= ``minimum``, saying ``why`` in the message.

    Used where a value just above 0 is allowed by the type but breaks the arithmetic (a
    coefficient of variation of 1e-200, a machine life of 1e-300 years); ``0`` itself keeps
    the plain "must be > 0" message of the type.
    """

    def check(value: float, info: ValidationInfo) -> float:
        if value < minimum:
            name = f"'{info.field_name}'" if info.field_name else "the value"
            fail(f"{name} must be >= {minimum:g}: {why} (got {got(value)})")
        return value

    return AfterValidator(check)


def _name(value: Any) -> Any:
    if isinstance(value, str) and not NAME_RE.match(value):
        fail(f"expected a name of letters, digits, '_' and '-' (got {got(value)})")
    return value


#: A finite number (not a boolean).
Number = Annotated[float, BeforeValidator(_number)]
#: A whole number (not a boolean).
Whole = Annotated[int, BeforeValidator(_whole)]
#: A number >= 0.
NonNegative = Annotated[float, BeforeValidator(_number), Field(ge=0)]
#: A number > 0.
Positive = Annotated[float, BeforeValidator(_number), Field(gt=0)]
#: A rate (share) from 0 to :data:`RATE_MAX`; may exceed 1 (a duty of 100 %, a tariff of 150 %).
Rate = Annotated[float, BeforeValidator(_number), Field(ge=0, le=RATE_MAX)]
#: An amount of money from 0 to :data:`MONEY_MAX`.
Money = Annotated[float, BeforeValidator(_number), Field(ge=0, le=MONEY_MAX)]
#: An identifier of a station, product or scenario.
Name = Annotated[str, BeforeValidator(_name)]


class StrictModel(BaseModel):
    """Base of every config model: unknown keys are errors, instances are frozen."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        validate_default=False,
        use_attribute_docstrings=True,
    )

    #: Keys to leave out of the "allowed keys" list of messages (none by default).
    _hidden_keys: ClassVar[frozenset[str]] = frozenset()
    #: A short example of the mapping, as YAML, for the message when something else is given
    #: (``{busy_kw: 5, idle_kw: 1}``); without one the message lists the allowed keys.
    _example: ClassVar[str] = ""

    @model_validator(mode="before")
    @classmethod
    def _unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            allowed = [name for name in cls.model_fields if name not in cls._hidden_keys]
            if any(key not in cls.model_fields for key in data):
                # The unknown keys may be the pieces of a short form that YAML split at its
                # commas ({process_time: tri(1, 2, 3)}): then the cut value is the problem.
                for key, value in data.items():
                    if isinstance(value, str) and OPEN_CALL_RE.match(value):
                        fail(cut_off_message(value), str(key))
            for key in data:
                if key not in cls.model_fields:
                    fail(f"unknown key {key!r}; allowed keys: {name_list(allowed)}", str(key))
        elif not isinstance(data, BaseModel):
            if cls._example:
                fail(f"expected a mapping such as {cls._example} (got {got(data)})")
            allowed = [name for name in cls.model_fields if name not in cls._hidden_keys]
            fail(f"expected a mapping with keys among {name_list(allowed)} (got {got(data)})")
        return data
