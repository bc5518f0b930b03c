#!/usr/bin/env bash
# Offline checks for the loyaltyd systemd units. Works without systemd as
# PID 1 (CI containers) and installs nothing: everything happens in a
# throw-away fake root that is deleted on exit.
#   1. systemd-analyze verify   (must print nothing)
#   2. systemd-sysusers --dry-run on loyaltyd.sysusers (must print no error)
#   3. systemd-analyze security --offline=true (exposure must be <= MAX_SCORE)
#   4. both again for the service with each drop-in (chain.conf, metrics.conf)
# Needs: bash, coreutils, and the "systemd" package (systemd-analyze,
# systemd-sysusers, the stock units such as sysinit.target).
set -euo pipefail

MAX_SCORE=2.0
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
units=(loyaltyd.service loyaltyd.socket)
export LC_ALL=C SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat

for tool in systemd-analyze systemd-sysusers; do
    command -v "$tool" >/dev/null || { echo "error: $tool not found (apt-get install systemd)" >&2; exit 2; }
done
unitdir=/lib/systemd/system
[[ -e $unitdir/sysinit.target ]] || unitdir=/usr/lib/systemd/system
[[ -e $unitdir/sysinit.target ]] || { echo "error: stock systemd units not found" >&2; exit 2; }

root=$(mktemp -d)
trap 'rm -rf -- "$root"' EXIT

# Fake root: merged-/usr layout, stock units (targets our units depend on),
# our units as local admin units, and a stub for every absolute Exec*= path
# (the real loyaltyd binary is not needed; verify only checks executability).
mkdir -p "$root/usr/lib/systemd" "$root/usr/bin" "$root/usr/sbin" "$root/etc/systemd/system"
ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s usr/lib "$root/lib"
cp -a "$unitdir" "$root/usr/lib/systemd/system"
for u in "${units[@]}"; do
    cp -- "$here/$u" "$root/etc/systemd/system/$u"
done
while read -r exe; do
    mkdir -p "$root$(dirname -- "$exe")"
    printf '#!/bin/sh\nexit 0\n' > "$root$exe"
    chmod 0755 "$root$exe"
done < <(sed -nE 's/^Exec[A-Za-z]*=[-@:+!]*(\/[^[:space:]]+).*/\1/p' "${units[@]/#/$here/}" | sort -u)

rc=0

echo "== systemd-analyze verify ${units[*]}"
verify_out=$(systemd-analyze verify --root="$root" --man=no --generators=no \
                 --recursive-errors=no "${units[@]}" 2>&1) || rc=1
if [[ -n $verify_out ]]; then
    printf '%s\n' "$verify_out"
    rc=1
fi
[[ $rc -eq 0 ]] && echo "OK"

echo "== systemd-sysusers --dry-run loyaltyd.sysusers"
if sysusers_out=$(systemd-sysusers --root="$root" --dry-run "$here/loyaltyd.sysusers" 2>&1); then
    echo "OK"
else
    printf '%s\n' "$sysusers_out"
    rc=1
fi

echo "== systemd-analyze security --offline=true loyaltyd.service"
sec_err=$root/security.err
sec_out=$(systemd-analyze security --offline=true --no-pager "$root/etc/systemd/system/loyaltyd.service" 2>"$sec_err") || true
if [[ -s $sec_err ]]; then
    cat -- "$sec_err"
    rc=1
fi
score=$(sed -nE 's/.*Overall exposure level for [^:]*: ([0-9]+\.[0-9]+).*/\1/p' <<<"$sec_out")
if [[ -z $score ]]; then
    printf '%s\n' "$sec_out"
    echo "error: could not parse the exposure score" >&2
    rc=1
else
    # Settings that still add exposure (C locale marks them with "- ").
    grep -E '^- ' <<<"$sec_out" | sed -E 's/ {2,}/  /g' || true
    echo "exposure score: $score (max $MAX_SCORE)"
    if ! awk -v s="$score" -v m="$MAX_SCORE" 'BEGIN { exit !(s <= m) }'; then
        echo "FAIL: exposure $score > $MAX_SCORE"
        rc=1
    fi
fi

# The drop-ins an admin adds (a box of a chain; the metrics textfile). A drop-in's lines come after the
# unit's, as if appended: each is checked as the service runs with it, verified and scored.
for dropin in chain metrics; do
    echo "== systemd-analyze verify + security --offline=true loyaltyd.service + $dropin.conf"
    cat -- "$root/etc/systemd/system/loyaltyd.service" "$here/$dropin.conf" > "$root/etc/systemd/system/loyaltyd-$dropin.service"
    verify_out=$(systemd-analyze verify --root="$root" --man=no --generators=no \
                     --recursive-errors=no "loyaltyd-$dropin.service" 2>&1) || { printf '%s\n' "$verify_out"; verify_out=; rc=1; }
    if [[ -n $verify_out ]]; then
        printf '%s\n' "$verify_out"
        rc=1
    fi
    dropin_out=$(systemd-analyze security --offline=true --no-pager "$root/etc/systemd/system/loyaltyd-$dropin.service" 2>"$sec_err") || true
    if [[ -s $sec_err ]]; then
        cat -- "$sec_err"
        rc=1
    fi
    dropin_score=$(sed -nE 's/.*Overall exposure level for [^:]*: ([0-9]+\.[0-9]+).*/\1/p' <<<"$dropin_out")
    echo "exposure score with $dropin.conf: ${dropin_score:-?} (max $MAX_SCORE)"
    if [[ -z $dropin_score ]] || ! awk -v s="$dropin_score" -v m="$MAX_SCORE" 'BEGIN { exit !(s <= m) }'; then
        echo "FAIL: exposure with $dropin.conf ${dropin_score:-unknown} > $MAX_SCORE"
        rc=1
    fi
done

exit "$rc"
