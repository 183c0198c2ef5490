"""README.md's examples, run as written against `conflict-events serve` on the seed data.

Every ```sh and ```python block, and every inline `curl ...`, runs in README order against one live
server, from a folder that looks like a fresh clone (the repository's files linked in, the running
virtual environment as `.venv`), with `$KEY` holding a write key. Each must exit 0 (shell blocks run
under `set -eo pipefail`), no request it makes may be answered 4xx or 5xx unless its shown output
has that status, and the `# ...` comment lines right below a command are its output: what they show
must be in the real output (stdout and stderr), whitespace ignored, `...` standing for anything.
Commands that install or start things are in NOT_RUN. Relative links must lead to files (and
headings) that exist, in the README and in every document it links to.
"""

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO, WRITE_KEY, LiveServer, start_server
from tests.databases import Backend

README = REPO / "README.md"
README_URL = "http://127.0.0.1:8000"  # where the README's server answers

# Not run: they install, build or start things; each is a one-line block of its own.
NOT_RUN = ("python3 -m venv", "bash .ci/test", "docker ", "conflict-events serve")
# Kept out of the fresh-clone folder: local state a clone does not have.
NOT_CLONED = {".git", ".venv", "data", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
FENCE = re.compile(r"^```(\S*)\s*$")
INLINE_CURL = re.compile(r"`(curl [^`]+)`")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Example:
    line: int  # 1-based line of the code's first line in README.md
    language: str  # "sh" or "python"
    code: str
    shown: tuple[str, ...]  # the output the README shows, one entry per comment line

    @property
    def skipped(self) -> bool:
        return any(command in line for line in self.commands for command in NOT_RUN)

    @property
    def commands(self) -> list[str]:
        return [line for line in self.code.splitlines() if line.strip() and not _comment(line)]


def _comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _shown(lines: list[str]) -> tuple[str, ...]:
    """The comment lines that follow a command (or such a comment) directly: its output. A
    comment after a blank line, or first in a block, is a remark. What commands print between
    two shown outputs is not shown: "..." stands for it."""
    shown: list[str] = []
    after = ""  # "code", "output" or "" (a blank line)
    for line in lines:
        if not line.strip():
            after = ""
        elif _comment(line):
            if after == "code" and shown:
                shown.append("...")
            if after:
                shown.append(line.lstrip()[1:].strip())
                after = "output"
        else:
            after = "code"
    return tuple(shown)


def _outside_code(text: str) -> str:
    """The text with fenced blocks blanked (line numbers kept)."""
    kept, inside = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            inside = not inside
            kept.append("")
        else:
            kept.append("" if inside else line)
    return "\n".join(kept)


def readme_examples(text: str) -> list[Example]:
    examples: list[Example] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if FENCE.match(lines[i]))
        body = lines[index + 1 : end]
        examples.append(Example(index + 2, opening.group(1), "\n".join(body) + "\n", _shown(body)))
        index = end + 1
    for number, line in enumerate(_outside_code(text).splitlines(), start=1):
        examples.extend(
            Example(number, "sh", m.group(1) + "\n", ()) for m in INLINE_CURL.finditer(line)
        )
    return sorted(examples, key=lambda example: example.line)


EXAMPLES = readme_examples(README.read_text(encoding="utf-8"))


def shows(output: str, shown: tuple[str, ...]) -> str | None:
    """None if `output` holds what the README shows, in order; else the first missing part."""
    squeezed = re.sub(r"\s+", "", output)
    position = 0
    for part in re.sub(r"\s+", "", "".join(shown)).split("..."):
        found = squeezed.find(part, position)
        if found < 0:
            return part
        position = found + len(part)
    return None


@dataclass
class Served:
    server: LiveServer
    database_url: str
    clone: Path
    log_offset: int = 0
    checks: int = 0

    def statuses_since_last_call(self) -> list[tuple[int, str]]:
        """Statuses (and paths) of the requests answered since the last call, from the access log.
        A request of our own, with a known id, marks where they end."""
        self.checks += 1
        marker = f"readme-check-{self.checks}"
        httpx.get(f"{self.server.url}/healthz", headers={"X-Request-Id": marker}, timeout=10)
        deadline = time.monotonic() + 10
        while (
            marker not in (text := self.server.log.read_text("utf-8", "replace"))[self.log_offset :]
        ):
            assert time.monotonic() < deadline, "the server's access log shows no request"
            time.sleep(0.05)
        answered = []
        for line in text[self.log_offset :].splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and "status" in entry and entry["request_id"] != marker:
                answered.append((int(entry["status"]), str(entry["path"])))
        self.log_offset = len(text)
        return answered


@pytest.fixture(scope="module")
def served(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for every example, as a reader has one: examples run in README order."""
    assert subprocess.run(["bash", "-c", "command -v curl"], check=False).returncode == 0, (
        "the README's examples need curl"
    )
    database_url = backend.new_database(seeded=True)
    server = start_server(
        database_url, tmp_path_factory.mktemp("readme-server"), CE_ACCESS_LOG="true"
    )
    clone = tmp_path_factory.mktemp("clone")
    for entry in REPO.iterdir():
        if entry.name not in NOT_CLONED:
            (clone / entry.name).symlink_to(entry)
    (clone / ".venv").symlink_to(Path(sys.prefix))
    try:
        yield Served(server, database_url, clone)
    finally:
        server.stop()
        backend.drop(database_url)


def run(example: Example, served: Served) -> subprocess.CompletedProcess[str]:
    code = example.code.replace(README_URL, served.server.url)
    env = os.environ | {
        "PATH": f"{Path(sys.prefix) / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": served.database_url,
        "CE_DATA_DIR": str(served.server.log.parent),
        "KEY": WRITE_KEY,
    }
    command = (
        ["bash", "-c", "set -eo pipefail\n" + code]
        if example.language == "sh"
        else [sys.executable, "-c", code]
    )
    return subprocess.run(
        command,
        cwd=served.clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_readme_is_short_and_its_examples_of_known_kinds() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 400, "README.md is for users: move details next to the code"
    assert not re.search(r"\bissues? #?\d+", text, re.IGNORECASE), "say what, not which issue"
    assert len(EXAMPLES) >= 15
    unknown = [
        f"line {e.line}: ```{e.language}" for e in EXAMPLES if e.language not in ("sh", "python")
    ]
    assert not unknown, "examples this test cannot run"
    for example in EXAMPLES:
        if example.skipped:
            assert len(example.commands) == 1, (
                f"line {example.line}: run it, or give it its own block"
            )


# The examples that install or start something (NOT_RUN) are not run here: each stands alone
# in its block (checked above), and .ci/run runs the install and test commands themselves.
RUNNABLE = [e for e in EXAMPLES if not e.skipped]


@pytest.mark.parametrize("example", RUNNABLE, ids=[f"line-{e.line}-{e.language}" for e in RUNNABLE])
def test_example_runs_as_written(example: Example, served: Served) -> None:
    result = run(example, served)
    answered = served.statuses_since_last_call()
    output = result.stdout
    assert result.returncode == 0, (
        f"README.md line {example.line} failed:\n{example.code}\n{output}"
    )
    shown = tuple(part.replace(README_URL, served.server.url) for part in example.shown)
    missing = shows(output, shown)
    assert missing is None, f"README.md line {example.line} does not show {missing!r}:\n{output}"
    allowed = {int(code) for code in re.findall(r'"status":\s*(\d{3})', " ".join(shown))}
    refused = [
        (status, path) for status, path in answered if status >= 400 and status not in allowed
    ]
    assert not refused, f"README.md line {example.line}: requests refused: {refused}\n{output}"


def test_the_install_and_test_commands_are_there_and_serve_answers_help() -> None:
    text = README.read_text(encoding="utf-8")
    install = (
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/conflict-events serve"
    )
    assert f"```sh\n{install}\n```" in text
    assert "```sh\nbash .ci/test\n```" in text
    assert (REPO / ".ci" / "test").is_file()
    help_text = subprocess.run(
        [Path(sys.prefix) / "bin" / "conflict-events", "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--port" in help_text


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(document: Path) -> set[str]:
    text = _outside_code(document.read_text(encoding="utf-8"))
    return {_slug(m.group(1).replace("`", "")) for m in re.finditer(r"^#+ (.+)$", text, re.M)}


def _links(document: Path) -> list[tuple[int, str]]:
    text = re.sub(r"`[^`\n]*`", "", _outside_code(document.read_text(encoding="utf-8")))
    return [
        (number, m.group(1))
        for number, line in enumerate(text.splitlines(), start=1)
        for m in LINK.finditer(line)
        if not re.match(r"[a-z]+:", m.group(1))
    ]


def test_relative_links_lead_to_files_and_headings_that_exist() -> None:
    broken, seen, queue = [], {README}, [README]
    while queue:
        document = queue.pop()
        for number, link in _links(document):
            path_part, _, anchor = link.partition("#")
            target = (document.parent / path_part).resolve() if path_part else document
            where = f"{document.relative_to(REPO)}:{number}: {link}"
            if not target.exists():
                broken.append(f"{where} (no such file)")
                continue
            if anchor and target.suffix == ".md" and anchor not in _anchors(target):
                broken.append(f"{where} (no such heading)")
            if target.suffix == ".md" and target not in seen and REPO in target.parents:
                seen.add(target)
                queue.append(target)
    assert not broken, "\n".join(broken)
