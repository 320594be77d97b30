#!/bin/sh
# MagickBox stream ProcPics: work.sh INPUT OUTPUT (in the container: /input /output).
# /input is read-only and holds the study's DICOM files, /output receives the
# derived series and proc.json, /memory (optional) persists between runs.
# Exit code 0 when the processing ran (also when images were skipped).
set -eu

IN=${1:-/input}
OUT=${2:-/output}
HERE=$(dirname "$(readlink -f "$0")")
# Debian's interpreter: it sees python3-pydicom, python3-numpy and python3-gdcm.
PYTHON=${PYTHON:-/usr/bin/python3}
[ -x "$PYTHON" ] || PYTHON=python3

failed() { # exit code, message: write a "failed" proc.json unless there is one
  if [ ! -f "$OUT/proc.json" ]; then
    { printf '[{"success": "failed", "message": "%s"}]\n' "$2" >"$OUT/proc.json"; } 2>/dev/null || true
  fi
  echo "ProcPics: $2" >&2
  exit "$1"
}

echo "ProcPics: start $(date -u +%Y-%m-%dT%H:%M:%SZ) as uid $(id -u), input $IN, output $OUT"
mkdir -p "$OUT"
[ -d "$IN" ] || failed 2 "input folder $IN missing"

rc=0
PYTHONDONTWRITEBYTECODE=1 "$PYTHON" -u "$HERE/procpics.py" "$IN" "$OUT" || rc=$?

if [ -d /memory ] && [ -w /memory ]; then
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) exit=$rc input=$(find "$IN" -type f | wc -l) output=$(find "$OUT" -name '*.dcm' | wc -l)" >>/memory/procpics-runs.log || true
fi
[ "$rc" -eq 0 ] || failed "$rc" "procpics.py crashed (exit code $rc), see processing.log"
echo "ProcPics: done"
