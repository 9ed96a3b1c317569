"""Render the Markdown that ``results/<run>/summary.md`` uses as a stand-alone HTML page.

Only the subset the summary writes is understood: ``#`` headings, paragraphs, ``-`` / ``*``
bullet lists, pipe tables (header row, ``|---|`` rule, body rows) and inline ``code`` and
``**bold**``. Everything else is kept as escaped paragraph text, never dropped.
"""

from __future__ import annotations

import html
import re

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_RULE_CELL = re.compile(r"^:?-{3,}:?$")
_BULLET = re.compile(r"^[-*]\s+(.*)$")
STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #1e293b; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #cbd5e1; padding: 0.25em 0.6em; text-align: left; }
th { background: #e2e8f0; }
tr:nth-child(even) td { background: #f8fafc; }
code { background: #f1f5f9; padding: 0 0.2em; }
"""


def inline(text: str) -> str:
    """Escape ``text`` for HTML, then render inline ``code`` and ``**bold**``."""
    parts = text.split("`")
    out = []
    for i, part in enumerate(parts):
        escaped = html.escape(part, quote=False)
        if i % 2 and i < len(parts) - 1:
            out.append(f"<code>{escaped}</code>")
        else:
            if i % 2:
                escaped = "`" + escaped
            out.append(re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped))
    return "".join(out)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _is_table_start(lines: list[str], i: int) -> bool:
    return (
        lines[i].lstrip().startswith("|")
        and i + 1 < len(lines)
        and all(_RULE_CELL.match(c) for c in _cells(lines[i + 1]))
    )


def _table(lines: list[str]) -> str:
    header, body = _cells(lines[0]), [_cells(line) for line in lines[2:]]
    head = "".join(f"<th>{inline(c)}</th>" for c in header)
    rows = "".join(
        "<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>\n" for row in body
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody>\n</table>"


def markdown_to_html(text: str) -> str:
    """The HTML body (no ``<html>`` wrapper) of the Markdown ``text``."""
    lines = text.splitlines()
    blocks: list[str] = []
    paragraph: list[str] = []
    i = 0

    def flush() -> None:
        if paragraph:
            blocks.append(f"<p>{inline(' '.join(paragraph))}</p>")
            paragraph.clear()

    while i < len(lines):
        line = lines[i].strip()
        if not line:
            flush()
            i += 1
        elif heading := _HEADING.match(line):
            flush()
            level = len(heading.group(1))
            blocks.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
            i += 1
        elif _is_table_start(lines, i):
            flush()
            end = i + 2
            while end < len(lines) and lines[end].lstrip().startswith("|"):
                end += 1
            blocks.append(_table(lines[i:end]))
            i = end
        elif _BULLET.match(line):
            flush()
            items = []
            while i < len(lines) and (item := _BULLET.match(lines[i].strip())):
                items.append(f"<li>{inline(item.group(1))}</li>")
                i += 1
            blocks.append("<ul>\n" + "\n".join(items) + "\n</ul>")
        else:
            paragraph.append(line)
            i += 1
    flush()
    return "\n".join(blocks) + "\n"


def html_page(title: str, body: str) -> str:
    """A self-contained HTML page (inline style, no scripts) around the HTML ``body``."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )
