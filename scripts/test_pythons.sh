#!/usr/bin/env bash
# make test-pythons: the package on every Python that requires-python admits (3.11, 3.12, 3.13), and 3.10 refused.
#
#   3.10  pip must refuse the package, saying which Python it requires (no environment is built).
#   3.11  the course's own .venv (make test runs every test and notebook in it): the package imports.
#   3.12  pip resolves the pinned install (constraints.txt, wheels only: no build from source) for 3.12;
#         with FULL=1 (as CI runs it) a fresh environment gets the pinned install (about 3 minutes and
#         5.8 GB here: PyPI's CUDA build of torch) and the package is imported and used; without, every
#         module of the package compiles.
#   3.13  the same resolution; where Colab's runtime (Python 3.13) is built, the package imports and runs
#         in it. Installing and importing it on 3.13 is make test-colab's work (the set-up cell installs it
#         into that runtime and every notebook runs there); CI runs both. This script never builds a second
#         3.13 environment, so that CI holds at most one PyTorch environment besides .venv at a time.
#
# The interpreters come from the Makefile (PYTHON310 ... PYTHON313); a missing one fails the check.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
FULL=${FULL:-0}
absolute() { case $1 in /*|'') echo "$1" ;; *) echo "$ROOT/$1" ;; esac; }
COLAB_VENV=$(absolute "${COLAB_VENV:-build/colab-venv}")
for v in 310 311 312 313; do var=PYTHON$v; declare "$var=$(absolute "${!var:-}")"; done
status=0

say() { printf '%-5s %s\n' "$1" "$2"; }
fail() { say "$1" "FAILED: $2"; status=1; }
need() {  # need VERSION PATH: the interpreter, or a failure that says how to give one
    if [ -z "$2" ] || [ ! -x "$2" ]; then fail "$1" "no Python $1 found (set PYTHON${1/./} to its path)"; return 1; fi
}

# A check that uses the package: an SE block against its definition, on the CPU.
SMOKE='import se_tutorial as se, torch, sys
x = torch.randn(2, 16, 5, 5)
b = se.SEBlock(16, reduction=4)
s = torch.sigmoid(b.excitation.fc2(torch.relu(b.excitation.fc1(x.mean((2, 3))))))
torch.testing.assert_close(b(x), x * s[:, :, None, None])
print(f"se_tutorial {se.__version__} on Python {sys.version.split()[0]}, torch {torch.__version__}: imports and runs")'

resolve() {  # resolve VERSION PYTHON: what pip would install for the pinned set, wheels only, nothing installed
    local out
    if out=$("$2" -m pip install --dry-run --quiet --only-binary=:all: --ignore-installed -c constraints.txt \
             --report "$TMP/report-$1.json" "$ROOT" 2>&1); then
        say "$1" "pip resolves the pinned install: $("$2" -c "import json,sys; r=json.load(open(sys.argv[1]))['install']
print(len(r), 'packages, torch', next(i['metadata']['version'] for i in r if i['metadata']['name']=='torch'))" "$TMP/report-$1.json")"
    else
        fail "$1" "pip cannot resolve the pinned install:"; echo "$out" | { grep -v '^WARNING: Location' || true; } | tail -5
    fi
}

full() {  # full VERSION PYTHON: a fresh environment with the pinned install; import and use the package
    local venv="$TMP/venv-$1"
    "$2" -m venv "$venv"
    if "$venv/bin/python" -m pip install --quiet --no-cache-dir -c constraints.txt "$ROOT" 2>&1 | { grep -v '^WARNING: Location' || true; } \
       && (cd "$TMP" && "$venv/bin/python" -c "$SMOKE" | sed "s/^/$1  /"); then
        say "$1" "(a fresh environment with the pinned install: $(du -sh "$venv" | cut -f1))"
    else
        fail "$1" "pinned install or import"
    fi
    rm -rf "$venv"
}

# 3.10: refused by requires-python
if need 3.10 "${PYTHON310:-}"; then
    out=$("$PYTHON310" -m pip install --dry-run --quiet --no-deps "$ROOT" 2>&1 || true)
    if grep -q "requires a different Python" <<<"$out"; then
        say 3.10 "refused by pip: $(grep -o "requires a different Python.*" <<<"$out" | head -1)"
    else
        fail 3.10 "pip did not refuse it:"; echo "$out" | tail -5
    fi
fi

# 3.11: the course's environment
if need 3.11 "${PYTHON311:-}"; then
    (cd "$TMP" && "$PYTHON311" -c "$SMOKE") | sed 's/^/3.11  /' || fail 3.11 "import"
fi

# 3.12 and 3.13
for v in 3.12 3.13; do
    var=PYTHON${v/./}
    py=${!var:-}
    need "$v" "$py" || continue
    resolve "$v" "$py"
    if [ "$v" = 3.13 ] && [ -x "$COLAB_VENV/bin/python" ]; then
        (cd "$TMP" && PYTHONPATH="$ROOT" "$COLAB_VENV/bin/python" -c "$SMOKE") | sed 's/^/3.13  /' \
            && say 3.13 "(in Colab's runtime, $COLAB_VENV; make test-colab runs every notebook there)" || fail 3.13 "import"
    elif [ "$v" = 3.13 ]; then
        say 3.13 "not imported here: no Colab runtime in $COLAB_VENV (make test-colab builds it, installs the package on 3.13 and runs every notebook there)"
    elif [ "$FULL" = 1 ]; then
        full "$v" "$py"
    else
        "$py" -c 'import pathlib, sys
for p in sorted(pathlib.Path(sys.argv[1]).rglob("*.py")): compile(p.read_text(encoding="utf-8"), str(p), "exec")' \
            "$ROOT/se_tutorial" && say 3.12 "every module of the package compiles (FULL=1 installs and imports it)" \
            || fail 3.12 "a module does not compile"
    fi
done
exit $status
