"""Safe YAML loading with positions.

PyYAML's composer gives a node graph with marks; this module turns it into plain data (dicts,
lists, str, int, float, bool, None) and a :class:`SourceMap`. Only the standard YAML tags are
accepted, so ``!!python/object`` and custom tags are errors, never constructed. Duplicate keys are
errors. Aliases are followed with a budget, so a "billion laughs" document is refused at once.
Booleans follow YAML 1.2 (``true``/``false`` only), so ``NO`` (Norway) stays a string. Dates and
timestamps stay strings: the schema and the kinds parse them.

Numbers follow YAML 1.2 where YAML 1.1 (PyYAML's) would surprise: ``1e3`` is the number 1000
(1.1: a string) and ``0o17`` is octal 15 (1.1: a string). The plain scalars that YAML 1.1 reads
as numbers nobody meant, the base-60 ``1:30`` (90) and the leading-zero ``010`` (octal 8), are
refused with their location and the quoted form to write instead. Characters a YAML file may not
hold (control characters) and lone surrogates (from ``"\ud800"`` escapes) are located errors too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from rulegen.errors import Diagnostic, SpecError
from rulegen.spec.caps import MAX_TABLES
from rulegen.spec.source_map import Position, SourceMap, join_pointer

__all__ = ["MAX_NODES", "load_document"]

MAX_NODES = 200_000  # expanded nodes; real specs have a few thousand, alias bombs billions

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}
_COLLECTION_TAGS = {f"{_TAG}seq", f"{_TAG}map", f"{_TAG}omap"}
_BOOL_12 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_OCTAL_12 = re.compile(r"^[-+]?0o[0-7_]+$")
_EXPONENT_12 = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)[eE][-+]?[0-9]+$")
_BASE_60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+$")
_SURROGATE = re.compile("[\ud800-\udfff]")
_TIMESTAMP = next(rx for tag, rx in yaml.SafeLoader.yaml_implicit_resolvers["2"] if tag == f"{_TAG}timestamp")


MAX_DEPTH = 100  # nesting of lists and mappings; deeper documents are refused, not recursed into


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        self.mark = mark


class _TooBig(_TooDeep):
    """More nodes than :data:`MAX_NODES`, written out (aliases are counted when expanded)."""


class _TooManyTables(_TooDeep):
    """More tables than :data:`~rulegen.spec.caps.MAX_TABLES`, counted while surveying: refused
    before the document is built (building 16,000 tables takes seconds)."""


class _Loader(yaml.SafeLoader):
    """SafeLoader whose implicit booleans are YAML 1.2's (no yes/no/on/off), which refuses deep
    nesting before Python's recursion limit does, and remembers where each alias was written."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.alias_marks: dict[tuple[int, object], yaml.AliasEvent] = {}

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            slot = index if isinstance(index, int) else id(index)
            self.alias_marks[(id(parent), slot)] = event
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _TooDeep(event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != f"{_TAG}bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(f"{_TAG}bool", _BOOL_12, list("tTfF"))
_Loader.add_implicit_resolver(f"{_TAG}int", _OCTAL_12, list("-+0"))
_Loader.add_implicit_resolver(f"{_TAG}float", _EXPONENT_12, list("-+.0123456789"))

_FAST = getattr(yaml, "CSafeLoader", None)  # libyaml, when PyYAML was built with it


class _FastLoader(_FAST or yaml.SafeLoader):  # type: ignore[misc]
    """libyaml's parser and composer (about ten times faster than PyYAML's own), resolving
    scalars as :class:`_Loader` does. It recurses without limit and keeps no alias marks, so it
    is used only after :func:`_survey` has found the document shallow and free of aliases."""


_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


_EXPLAINED_BELOW = 1 << 20  # characters: a broken document this small is parsed again for PyYAML's messages


def _slow_path(text: str) -> bool:
    """Whether PyYAML's own composer must build the document: without libyaml, when it holds
    aliases, or (small documents) when it is broken: PyYAML's messages say more, and the hints
    of :func:`_syntax_hint` read them."""
    if _FAST is None:
        return True
    try:
        return _survey(text)
    except yaml.MarkedYAMLError:
        if len(text) > _EXPLAINED_BELOW:
            raise
        return True


def _survey(text: str) -> bool:
    """Walk the document's events (libyaml: no recursion, no nodes built): refuse nesting past
    :data:`MAX_DEPTH` and more than :data:`MAX_NODES` nodes before anything is composed.

    Returns:
        Whether the document holds an alias (then PyYAML's composer, which marks aliases, builds it).

    Raises:
        _TooDeep, _TooBig: at the event past the limit; yaml errors of the text, located.
    """
    parser = _FastLoader(text)
    depth = nodes = 0
    aliases = False
    # The root mapping's entries (keys and values alternate) and the `tables` mapping's.
    root_items, tables_items, tables_next, in_tables = 0, 0, False, False
    try:
        while (event := parser.get_event()) is not None and not isinstance(event, yaml.StreamEndEvent):
            if isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                in_tables = in_tables and depth >= 2
                continue
            if depth == 1:  # an entry of the root mapping (or list)
                in_tables = tables_next and isinstance(event, yaml.MappingStartEvent)
                tables_next = root_items % 2 == 0 and isinstance(event, yaml.ScalarEvent) and event.value == "tables"
                root_items += 1
            elif depth == 2 and in_tables:
                tables_items += 1
                if tables_items > 2 * MAX_TABLES:
                    raise _TooManyTables(event.start_mark)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _TooDeep(event.start_mark)
            elif isinstance(event, yaml.AliasEvent):
                aliases = True
            elif not isinstance(event, yaml.ScalarEvent):
                continue
            nodes += 1
            if nodes > MAX_NODES:
                raise _TooBig(event.start_mark)
    finally:
        parser.dispose()
    return aliases


def load_document(source: str | Path, *, filename: str | None = None) -> tuple[Any, SourceMap]:
    """Load a spec from a path or from YAML text.

    Args:
        source: a path to a YAML file, or the YAML text itself (any string containing a newline
            or a ``:`` that is not an existing file).
        filename: the name used in diagnostics (defaults to the path, or ``<spec>``).

    Returns:
        The plain data and its source map.

    Raises:
        SpecError: unreadable file, YAML syntax, forbidden tag, duplicate key or alias bomb.
    """
    text, name = _read(source, filename)
    smap = SourceMap(filename=name, text=text)
    loader = None
    try:
        # The reader refuses characters a YAML file may not hold, here.
        loader = _Loader(text) if _slow_path(text) else _FastLoader(text)
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        raise SpecError([_unreadable_character(text, exc)], smap) from None
    except _TooManyTables as exc:
        raise SpecError([Diagnostic("RG250", f"more than {MAX_TABLES:,} tables", "/tables",
                                    mark=(exc.mark.line + 1, exc.mark.column + 1),
                                    hint="split the spec into several specs")], smap) from None
    except _TooBig as exc:
        message = f"the document has more than {MAX_NODES:,} values, lists and mappings"
        raise SpecError([Diagnostic("RG104", message, mark=(exc.mark.line + 1, exc.mark.column + 1),
                                    hint="a spec this large is not one a person wrote: split it")], smap) from None
    except _TooDeep as exc:
        message = f"invalid YAML: lists and mappings nested more than {MAX_DEPTH} levels deep"
        raise SpecError([Diagnostic("RG101", message, mark=(exc.mark.line + 1, exc.mark.column + 1))],
                        smap) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"invalid YAML: {exc.problem or exc.context}"
        raise SpecError([Diagnostic("RG101", message, mark=where, hint=_syntax_hint(exc))], smap) from None
    except yaml.YAMLError as exc:
        raise SpecError([Diagnostic("RG101", f"invalid YAML: {exc}", mark=(1, 1))], smap) from None
    except ValueError:  # PyYAML's scanner calls chr() on a "\U" escape past U+10FFFF
        mark = loader.get_mark() if loader is not None and hasattr(loader, "get_mark") else None
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SpecError([Diagnostic("RG101", "invalid YAML: an escape names a character past U+10FFFF, the last "
                                             "one Unicode has", mark=where)], smap) from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        return None, smap
    builder = _Builder(smap, getattr(loader, "alias_marks", {}))
    data = builder.build(node, "")
    if builder.diagnostics:
        raise SpecError(builder.diagnostics, smap)
    return data, smap


def _unreadable_character(text: str, exc: yaml.reader.ReaderError) -> Diagnostic:
    """A control character in the file itself, located (PyYAML gives an offset into the text)."""
    before = text[: exc.position]
    line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
    return Diagnostic("RG101", f"invalid YAML: character U+{code:04X} (a control character) is not allowed "
                               "in a YAML file", mark=(line, col),
                      hint=f'to put it in a value, write it as an escape in a double-quoted string: "\\x{code:02x}"'
                      if code < 0x100 else None)


def _syntax_hint(exc: yaml.MarkedYAMLError) -> str | None:
    """A plain-words hint for PyYAML's most common syntax errors."""
    problem, context, mark = exc.problem or "", exc.context or "", exc.context_mark
    if "'\\t'" in problem:
        return "YAML indentation must use spaces, not tabs"
    if mark is not None and "flow" in context:
        bracket = "{" if "mapping" in context else "["
        opened = f"line {mark.line + 1}, column {mark.column + 1}"
        return f"the `{bracket}` opened at {opened} is not closed before this point"
    if "<block end>" in problem:
        return "check the indentation of this line: the keys of one mapping must line up"
    if "mapping values are not allowed" in problem:
        return ("a value that is itself `key: value` goes in braces, `amount: {kind: gamma, shape: 2}`, or on "
                "lines of its own, indented; a text with `: ` in it goes in quotes")
    return None


def _read(source: str | Path, filename: str | None) -> tuple[str, str]:
    looks_like_text = isinstance(source, str) and ("\n" in source or (":" in source and not _is_path(source)))
    if looks_like_text:
        return str(source), filename or "<spec>"
    from rulegen.io.inputs import MAX_SPEC_BYTES, InputFileError, read_regular_file

    path = Path(source)
    name = filename or str(path)
    try:
        # A regular file of bounded size: a FIFO or /dev/zero is refused before it is read.
        text = read_regular_file(path, MAX_SPEC_BYTES, "spec").decode("utf-8")
    except InputFileError as exc:
        raise SpecError([Diagnostic(exc.code, f"cannot read spec: {exc.message}", mark=(1, 1))],
                        SourceMap(filename=name)) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SpecError([Diagnostic("RG100", f"cannot read spec: {reason}", mark=(1, 1))],
                        SourceMap(filename=name)) from None
    return text.replace("\r\n", "\n").replace("\r", "\n"), name  # universal newlines, as read_text


def _is_path(source: str) -> bool:
    """Whether ``source`` names an existing file (a long line of YAML is too long to be a name)."""
    try:
        return Path(source).exists()
    except (OSError, ValueError):
        return False


class _Builder:
    """Turns a composed node graph into plain data, recording positions and problems."""

    def __init__(self, smap: SourceMap, alias_marks: dict[tuple[int, object], yaml.AliasEvent]) -> None:
        self.smap = smap
        self.alias_marks = alias_marks
        self.diagnostics: list[Diagnostic] = []
        self.budget = MAX_NODES
        self.constructor = yaml.SafeLoader("")
        self.open: set[int] = set()  # nodes being built: meeting one again means a recursive alias

    def build(self, node: yaml.Node, pointer: str, alias: yaml.AliasEvent | None = None) -> Any:
        self.budget -= 1
        if self.budget < 0:
            top = "/".join(pointer.split("/")[:2])
            raise SpecError([Diagnostic(
                "RG104", f"document expands to more than {MAX_NODES:,} nodes through aliases",
                top, hint="this looks like an alias bomb; write the spec without deep aliases",
            )], self.smap)
        mark = alias.start_mark if alias is not None else node.start_mark
        style = (getattr(node, "style", None) or None) if alias is None else None
        self.smap.values.setdefault(pointer, Position(mark.line + 1, mark.column + 1, style))
        if id(node) in self.open:
            self.diagnostics.append(Diagnostic(
                "RG104", f"alias `*{alias.anchor if alias else ''}` refers to a node that contains it "
                         "(a recursive alias)", pointer))
            return None
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, pointer)
            if isinstance(node, yaml.SequenceNode):
                self._check_tag(node, pointer, _COLLECTION_TAGS)
                return [self.build(item, f"{pointer}/{i}", self.alias_marks.get((id(node), i)))
                        for i, item in enumerate(node.value)]
            return self._scalar(node, pointer)
        finally:
            self.open.discard(id(node))

    def _check_tag(self, node: yaml.Node, pointer: str, allowed: set[str]) -> bool:
        if node.tag in allowed:
            return True
        tag = node.tag.replace(_TAG, "!!")
        self.diagnostics.append(Diagnostic(
            "RG102", f"YAML tag `{tag}` is not allowed", pointer,
            hint="rulegen reads plain YAML only: strings, numbers, booleans, null, lists and mappings",
        ))
        return False

    def _scalar(self, node: yaml.ScalarNode, pointer: str, *, mark: tuple[int, int] | None = None) -> Any:
        """The value of a scalar (``mark``: where a mapping key stands, for its problems)."""
        if not self._check_tag(node, pointer, _SCALAR_TAGS):
            return None
        if node.tag == f"{_TAG}timestamp":
            if not _TIMESTAMP.match(node.value):  # an explicit !!timestamp tag on text of another shape
                self.diagnostics.append(Diagnostic(
                    "RG102", f"`{node.value}` is not a timestamp", pointer, mark=mark,
                    hint="write a date such as 2024-01-01, or drop the `!!timestamp` tag"))
                return None
            return node.value  # kept as text; dates are parsed by the kinds that take them
        if _SURROGATE.search(node.value):
            self.diagnostics.append(Diagnostic(
                "RG108", "a lone surrogate (an escape such as \\ud800) is not a character and cannot be written "
                         "as UTF-8", pointer, mark=mark, hint="write the character itself, or a \\U escape of it"))
            return None
        try:
            value = self.constructor.construct_object(node, deep=True)
        except ValueError:  # an integer of more digits than Python converts (4,300)
            self.diagnostics.append(Diagnostic("RG109", f"a number of {len(node.value):,} characters is beyond "
                                                        "any number a spec takes", pointer, mark=mark))
            return None
        surprise = (self._yaml11_number(node.value, value)  # plain style: None (PyYAML), "" (libyaml)
                    if not node.style and node.tag in (f"{_TAG}int", f"{_TAG}float") else None)
        if surprise:
            self.diagnostics.append(Diagnostic("RG109", surprise, pointer, mark=mark,
                                               hint=f'quote it for text: "{node.value}"'))
            return None
        return value

    @staticmethod
    def _yaml11_number(text: str, value: object) -> str | None:
        """Why a plain number means something its writer did not expect, if it does."""
        if _BASE_60.match(text):
            return f"`{text}` is the base-60 number {value} in YAML 1.1, not a time or a ratio"
        if _LEADING_ZERO.match(text):
            return (f"`{text}` has a leading zero, which YAML 1.1 reads as the octal number {value}; "
                    f"write it without the zero, or as 0o{text.lstrip('+-0')} for octal")
        return None

    def _mapping(self, node: yaml.MappingNode, pointer: str) -> dict[Any, Any]:
        self._check_tag(node, pointer, _COLLECTION_TAGS)
        result: dict[Any, Any] = {}
        explicit: set[Any] = set()
        for key_node, value_node in node.value:
            if key_node.tag == f"{_TAG}merge":
                self._merge(result, explicit, value_node, pointer)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.diagnostics.append(Diagnostic("RG105", "mapping keys must be plain scalars", pointer))
                continue
            # `null:` is an option name in specs, so a null-looking key stays text.
            mark = key_node.start_mark
            key = (key_node.value if key_node.tag == f"{_TAG}null"
                   else self._scalar(key_node, pointer, mark=(mark.line + 1, mark.column + 1)))
            if key is None:
                continue  # reported
            child = join_pointer(pointer, key)
            if key in explicit:
                first = self.smap.keys[child]
                self.diagnostics.append(Diagnostic(
                    "RG103", f"duplicate key `{key}` (first defined at line {first.line})", child,
                    at_key=True, mark=(mark.line + 1, mark.column + 1),
                ))
                continue
            self.smap.keys[child] = Position(mark.line + 1, mark.column + 1)
            explicit.add(key)
            result[key] = self.build(value_node, child, self.alias_marks.get((id(node), id(key_node))))
        return result

    def _merge(self, result: dict[Any, Any], explicit: set[Any], value: yaml.Node, pointer: str) -> None:
        """YAML merge keys (``<<: *base``): explicit keys win over merged ones."""
        sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
        for source in sources:
            merged = self.build(source, pointer)
            if isinstance(merged, dict):
                for key, item in merged.items():
                    if key not in explicit:
                        result.setdefault(key, item)
            else:
                self.diagnostics.append(Diagnostic("RG105", "a merge key (`<<`) needs a mapping", pointer))
