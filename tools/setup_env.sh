#!/usr/bin/env bash
# Set up a Python environment for mmdynaseg; safe to run again (then it takes seconds).
#
# Environment: MMDYNASEG_VENV (default: the active $VIRTUAL_ENV, else <repo>/.venv).
# It installs torch (only if the environment has none: a torch you installed, CUDA or not,
# is kept), mmengine 0.10.x, mmcv 2.1.0 with compiled ops, mmsegmentation 1.2.2, the
# scientific stack and mmdynaseg itself (editable).
#
# mmcv 2.1.0 exists on PyPI only as source. A wheel is taken, in this order, from
#   $MMDYNASEG_WHEEL_DIR (optional, e.g. a shared folder of prebuilt wheels),
#   $MMDYNASEG_CACHE_DIR/wheels/<torch>-<python>/ (default ~/.cache/mmdynaseg),
# and otherwise built from source (about 17 minutes on 2 cores) and cached there.
#
# torch is never taken as a CUDA build by accident: before installing it, pip's resolution
# is checked, and the script stops if it would bring CUDA packages. Set MMDYNASEG_TORCH_INDEX
# to a CPU wheel index if your registry only has CUDA builds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MMDYNASEG_VENV:-${VIRTUAL_ENV:-$ROOT/.venv}}"
TORCH_VERSION="${MMDYNASEG_TORCH_VERSION:-2.13.0}"
MMCV_VERSION=2.1.0
CACHE_DIR="${MMDYNASEG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mmdynaseg}"
log() { echo "[setup_env] $*" >&2; }

if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtual environment $VENV"
    "${PYTHON:-python3}" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)

# Fast path: nothing changed since the last complete set-up and the stack imports.
STAMP="$VENV/.mmdynaseg-setup"
FINGERPRINT="$(cat "$ROOT"/requirements/*.txt "$ROOT/setup.py" "${BASH_SOURCE[0]}" \
    | sha256sum | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$FINGERPRINT" ] \
    && "$PY" -c "import mmcv._ext, mmseg, mmdynaseg" 2>/dev/null; then
    log "environment $VENV is up to date"
    exit 0
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# 1. torch: keep the one that is there, else install a CPU build.
if "$PY" -c "import torch" 2>/dev/null; then
    log "keeping installed torch $("$PY" -c 'import torch; print(torch.__version__)')"
else
    INDEX_ARGS=()
    if [ -n "${MMDYNASEG_TORCH_INDEX:-}" ]; then
        INDEX_ARGS=(--index-url "$MMDYNASEG_TORCH_INDEX")
    fi
    "${PIP[@]}" install -q --dry-run --ignore-installed --report "$TMP/torch.json" \
        "${INDEX_ARGS[@]}" "torch==$TORCH_VERSION"
    "$PY" - "$TMP/torch.json" <<'PYEOF'
import json, sys
items = json.load(open(sys.argv[1]))['install']
cuda = [i['metadata']['name'] for i in items
        if i['metadata']['name'].lower().startswith(('nvidia-', 'triton', 'cuda-'))]
if cuda:
    sys.exit('[setup_env] pip would install a CUDA build of torch (it brings '
             + ', '.join(sorted(cuda)) + '). Install a CPU torch into the environment first, '
             'e.g. pip install torch --index-url https://download.pytorch.org/whl/cpu, '
             'or set MMDYNASEG_TORCH_INDEX to a CPU wheel index, then run this again.')
PYEOF
    log "installing torch==$TORCH_VERSION (CPU build)"
    "${PIP[@]}" install -q "${INDEX_ARGS[@]}" "torch==$TORCH_VERSION"
fi
TORCH_FULL="$("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null)"
PY_TAG="$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"
# Every later install must leave torch exactly as it is.
echo "torch==$TORCH_FULL" > "$TMP/constraints.txt"
PIPC=("${PIP[@]}" install -q -c "$TMP/constraints.txt")

# 2. Build tools and dependencies. setuptools<70: mmcv's setup.py and mim need
# pkg_resources (pip then notes that torch asks for a newer setuptools, which it
# needs only to compile its own extensions).
log "installing setuptools<70 (pip may then report that torch asks for setuptools>=77:" \
    "expected and harmless)"
"${PIPC[@]}" "setuptools<70" wheel ninja
"${PIPC[@]}" -r "$ROOT/requirements/runtime.txt" -r "$ROOT/requirements/tests.txt"
"${PIPC[@]}" --no-deps "openmim==0.3.9"

# 3. mmcv with compiled ops.
mmcv_ok() {
    "$PY" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '$MMCV_VERSION'" 2>/dev/null
}
WHEEL_CACHE="$CACHE_DIR/wheels/torch-$TORCH_FULL-$PY_TAG"
if ! mmcv_ok; then
    for dir in ${MMDYNASEG_WHEEL_DIR:-} "$WHEEL_CACHE"; do
        for whl in "$dir"/mmcv-"$MMCV_VERSION"-"$PY_TAG"-*.whl; do
            [ -f "$whl" ] || continue
            log "trying mmcv wheel $whl"
            "${PIPC[@]}" --force-reinstall --no-deps "$whl"
            if mmcv_ok; then break 2; fi
            log "$whl does not work with torch $TORCH_FULL; skipping it"
        done
    done
fi
if ! mmcv_ok; then
    log "building mmcv $MMCV_VERSION with ops from source (about 17 min on 2 cores);" \
        "the wheel is cached in $WHEEL_CACHE"
    mkdir -p "$WHEEL_CACHE"
    # --no-cache-dir: pip's wheel cache is keyed by the source alone, not by torch, so
    # it could hand back ops compiled against another torch (ours is keyed by torch).
    MMCV_WITH_OPS=1 FORCE_CUDA="${FORCE_CUDA:-0}" MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
        "${PIP[@]}" wheel -q --no-cache-dir --no-build-isolation --no-deps \
        --no-binary mmcv -w "$TMP/wheel" "mmcv==$MMCV_VERSION"
    mv "$TMP"/wheel/mmcv-*.whl "$WHEEL_CACHE/"
    "${PIPC[@]}" --force-reinstall --no-deps "$WHEEL_CACHE"/mmcv-"$MMCV_VERSION"-*.whl
    mmcv_ok || { log "mmcv was built but mmcv.ops does not import"; exit 1; }
fi
# mmcv's own requirements (addict, yapf, ...), without touching torch.
"${PIPC[@]}" -r "$ROOT/requirements/mminstall.txt"

# 4. mmdynaseg itself, editable (setup.py links configs/ and tools/ into .mim).
"${PIPC[@]}" --no-deps --no-build-isolation -e "$ROOT"

"$PY" -c "import mmcv._ext, mmseg, mmdynaseg"
echo "$FINGERPRINT" > "$STAMP"
log "environment ready: $VENV (torch $TORCH_FULL, mmcv $MMCV_VERSION with ops)"
