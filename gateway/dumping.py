"""A response schema's ``dump``, planned once per schema: the same output as marshmallow's
``Schema.dump`` for the answers services send (dicts of JSON values), at a fraction of the cost
(issue 21: dumping a page of 50 was a third of the gateway's CPU for that request).

The plan keeps what the schema is for, that an answer carries only the contract's fields, and
takes marshmallow's own path wherever it could differ: a value of another type than the field's
(``field._serialize`` formats it), a key the answer lacks, a field or schema with options that
change how a value is read (``attribute``, ``dump_default``, hooks), and every field type not
listed here. ``tests/unit/test_dumping.py`` holds it to ``Schema.dump`` for every route.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, fields, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP

Dump = Callable[[Any], Any]
# field type → the value's types it passes through unchanged (None always does)
AS_IS: dict[type, tuple[type, ...]] = {
    fields.String: (str,),
    fields.Integer: (int,),
    fields.Boolean: (bool,),
    fields.Field: (object,),
    fields.Raw: (object,),
}


def dumper(schema: Schema) -> Dump:
    """``schema.dump`` for one object, planned once."""
    if schema.many or schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP]:
        return schema.dump
    plan = [(field.data_key or name, name, field,
             _value(field) if _by_key(name, field) else None)
            for name, field in schema.dump_fields.items()]
    accessor = schema.get_attribute

    def dump(obj: Any) -> Any:
        if type(obj) is not dict:
            return schema.dump(obj)
        out = {}
        for key, name, field, value in plan:
            found = obj.get(name, missing)
            if found is missing or value is None:
                found = field.serialize(name, obj, accessor=accessor)
                if found is missing:
                    continue
                out[key] = found
            else:
                out[key] = value(found)
        return out
    return dump


def _by_key(name: str, field: fields.Field) -> bool:
    """Whether marshmallow reads this field as ``obj[name]`` (else only ``field.serialize``
    reads it)."""
    return field._CHECK_ATTRIBUTE and field.attribute is None and "." not in name \
        and field.dump_default is missing


def _value(field: fields.Field) -> Dump | None:
    """A present value's dumped form, or None where only ``field.serialize`` will do."""
    kinds = AS_IS.get(type(field))
    if kinds == (object,):
        return lambda value: value
    if kinds is not None and not getattr(field, "as_string", False):
        serialize = field._serialize

        def as_is(value: Any) -> Any:
            if value is None or type(value) in kinds:
                return value
            return serialize(value, None, None)
        return as_is
    if type(field) is fields.Nested and not field.many:
        return _nested(field)
    if type(field) is fields.List:
        inner = _value(field.inner)
        if inner is None:
            return None
        return lambda value: None if value is None else [inner(each) for each in value]
    return None


def _nested(field: fields.Nested) -> Dump:
    """The nested schema's dump, planned at its first use (a schema may nest itself)."""
    planned: list[Dump] = []

    def nested(value: Any) -> Any:
        if value is None:
            return None
        if not planned:
            schema = field.schema
            planned.append(schema.dump if schema.many else dumper(schema))
        return planned[0](value)
    return nested
