"""Client-side checks of what the API would refuse, run before anything is sent.

Each check raises :class:`InvalidArgumentError` naming the argument and the
rule it broke. A password is never part of a message: only the rule is.

The password rule is the strictest reading the API's documents agree on
(REFERENCE §1.9): 8 to 30 characters, with an uppercase letter, a lowercase
letter and a digit (the older English page asks for all three), at least one
of the special characters every version lists, and nothing else (the backtick
only appears on the older Chinese page, so it is refused). The older English
page says "exactly one of" the specials; the newer one says "at least one",
and we follow the newer one.
"""

from __future__ import annotations

import re
from typing import Any, Final

from lightnode_aio._exceptions import InvalidArgumentError

__all__ = [
    "PASSWORD_SPECIALS",
    "check_code",
    "check_id",
    "check_name",
    "check_password",
]

#: The special characters every version of the docs allows (REFERENCE §1.9).
PASSWORD_SPECIALS: Final = "()~!@#$*-+={}[]:;,.?/"  # noqa: S105 (a rule)

_PASSWORD_MIN: Final = 8
_PASSWORD_MAX: Final = 30
_PASSWORD_ALLOWED: Final = re.compile(
    "[A-Za-z0-9" + re.escape(PASSWORD_SPECIALS) + "]*"
)

#: Instance names (REFERENCE §1.10): letters, digits and "-", at most 64.
#: The docs do not say a name may not start with "-"; one client checks it,
#: and a hostname may not, so neither may ours.
_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")

#: Region and zone codes look like ``ru-moscow-1`` and ``ru-moscow-1-a``.
_CODE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")

#: Id prefixes the API uses, by the kind of thing (REFERENCE §1.8).
_PREFIXES: Final = {
    "instance": "ecs-",
    "image": "img-",
    "security group": "fw-",
    "SSH key": "key-",
}
#: Kinds whose prefix is only an inference (REFERENCE §1.8): a value without
#: it is accepted, but a value with another kind's prefix is refused.
_LOOSE_KINDS: Final = frozenset({"security group", "SSH key"})

_TOKEN_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]+")


def _valid_pattern(kind: str) -> re.Pattern[str]:
    """One pattern that accepts exactly the ids ``check_id`` lets through."""
    others = "|".join(re.escape(p) for k, p in _PREFIXES.items() if k != kind)
    own = _PREFIXES.get(kind)
    start = re.escape(own) if own and kind not in _LOOSE_KINDS else ""
    return re.compile(f"(?!{others}){start}[A-Za-z0-9_-]+")


_VALID: Final = {kind: _valid_pattern(kind) for kind in (*_PREFIXES, "task")}


def _text(value: Any, argument: str) -> str:
    if not isinstance(value, str):
        raise InvalidArgumentError(
            f"{argument} must be a string, not {type(value).__name__}",
            argument=argument,
        )
    if not value.strip():
        raise InvalidArgumentError(f"{argument} must not be empty", argument=argument)
    return value


def check_id(value: Any, kind: str, argument: str) -> str:
    """Checks an id of one kind: ``instance``, ``image``, ``security group``,
    ``SSH key`` or ``task``.

    Returns:
        The id, unchanged.

    Raises:
        InvalidArgumentError: It is empty, not a string, has characters an id
            never has, or is an id of another kind (an image id passed as an
            instance id, say).
    """
    if value.__class__ is str and _VALID[kind].fullmatch(value):
        return value  # the usual case, in one match; the checks below explain
    text = _text(value, argument)
    if not _TOKEN_SHAPE.fullmatch(text):
        raise InvalidArgumentError(
            f"{argument} {text!r} is not a {kind} id: ids are letters, digits and '-'",
            argument=argument,
        )
    for other, prefix in _PREFIXES.items():
        if other != kind and text.startswith(prefix):
            raise InvalidArgumentError(
                f"{argument} {text!r} looks like {_a(other)} id, not {_a(kind)} id",
                argument=argument,
            )
    own = _PREFIXES.get(kind)
    if own and kind not in _LOOSE_KINDS and (not text.startswith(own) or text == own):
        raise InvalidArgumentError(
            f"{argument} {text!r} is not {_a(kind)} id: they start with {own!r} "
            "and go on",
            argument=argument,
        )
    return text


def _a(noun: str) -> str:
    """The noun with its indefinite article: "an image", "a task"."""
    spoken_vowel = noun[0] in "aeiouAEIOU" or noun.startswith("SSH")
    return ("an " if spoken_vowel else "a ") + noun


def check_code(value: Any, argument: str) -> str:
    """Checks a region, zone or package code.

    Raises:
        InvalidArgumentError: It is empty, not a string, or holds spaces or
            other characters codes never have.
    """
    text = _text(value, argument)
    if not _CODE.fullmatch(text):
        raise InvalidArgumentError(
            f"{argument} {text!r} is not a valid code: codes are letters, "
            "digits, '-' and '_'",
            argument=argument,
        )
    return text


def check_name(value: Any, argument: str = "name") -> str:
    """Checks an instance name against REFERENCE §1.10.

    Raises:
        InvalidArgumentError: It breaks a rule; the message names the rule.
    """
    text = _text(value, argument)
    if len(text) > 64:
        raise InvalidArgumentError(
            f"{argument} is {len(text)} characters long; at most 64 are allowed",
            argument=argument,
        )
    if not _NAME.fullmatch(text):
        raise InvalidArgumentError(
            f"{argument} {text!r} may hold only ASCII letters, digits and '-', "
            "and must start with a letter or digit",
            argument=argument,
        )
    return text


def check_password(value: Any, argument: str = "password") -> str:
    """Checks an instance password against the rules above.

    Raises:
        InvalidArgumentError: It breaks a rule. The message names the rule
            and never contains the password.
    """
    if not isinstance(value, str):
        raise InvalidArgumentError(
            f"{argument} must be a string, not {type(value).__name__}",
            argument=argument,
        )
    broken = _password_problem(value)
    if broken is not None:
        raise InvalidArgumentError(f"{argument} {broken}", argument=argument)
    return value


def _password_problem(password: str) -> str | None:
    if not _PASSWORD_MIN <= len(password) <= _PASSWORD_MAX:
        return (
            f"must be {_PASSWORD_MIN} to {_PASSWORD_MAX} characters long "
            f"(it has {len(password)})"
        )
    if not _PASSWORD_ALLOWED.fullmatch(password):
        return (
            "may hold only ASCII letters, digits and these specials: "
            f"{PASSWORD_SPECIALS}"
        )
    if not any(c.isupper() for c in password):
        return "needs at least one uppercase letter"
    if not any(c.islower() for c in password):
        return "needs at least one lowercase letter"
    if not any(c.isdigit() for c in password):
        return "needs at least one digit"
    if not any(c in PASSWORD_SPECIALS for c in password):
        return f"needs at least one of these specials: {PASSWORD_SPECIALS}"
    return None
