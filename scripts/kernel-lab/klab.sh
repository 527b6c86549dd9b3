#!/usr/bin/env bash
# klab.sh - runs a script as root inside a qemu guest that boots Debian's stock kernel (which has sch_netem,
# unlike this machine's) with the HOST's root filesystem shared read-only (9p/virtio) and made writable in the
# guest by an in-RAM overlay: host programs (tc, ip, nft, dotnet) run unchanged inside, and nothing is written
# back to the host except into OUTDIR. Adapted from the kernel lab recipe in shared/kernel.md.
#
# usage: klab.sh SCRIPT_FILE OUTDIR     (scripts/kernel-lab/fetch-kernel.sh first: it installs qemu and the kernel)
#
# Results in OUTDIR: stdout, stderr, exit_code, console.log (serial console), timing, script (copy of
# SCRIPT_FILE). Inside the guest OUTDIR is mounted read-write at $KLAB_OUT (/run/klab/job), so the script can
# drop extra files there. The script runs from the current directory, with KLAB_GUEST=1.
#
# Exit codes: the script's own; 77 the lab cannot run here (qemu, busybox, kmod or the kernel missing: run
# fetch-kernel.sh); 124 timeout; 125 the guest failed (no exit code came back: see OUTDIR/console.log).
#
# Environment knobs:
#   FAULTLINE_KERNEL_LAB_DIR  the lab directory (default ~/.cache/faultline/kernel-lab): kernel/, build/
#   KLAB_KDIR     unpacked linux-image .deb (default $FAULTLINE_KERNEL_LAB_DIR/kernel)
#   KLAB_ACCEL    auto|kvm|tcg                         (default auto: kvm if usable)
#   KLAB_MEM      guest RAM                            (default 2G)
#   KLAB_SMP      guest CPUs                           (default 2)
#   KLAB_CPU      qemu -cpu model                      (default host for kvm, max for tcg)
#   KLAB_MACHINE  pc|microvm                           (default pc; microvm boots ~1 s faster)
#   KLAB_PVH      1 = boot extracted ELF vmlinux via PVH (default), 0 = boot the bzImage
#   KLAB_TIMEOUT  seconds before qemu is killed        (default 900)
#   KLAB_APPEND   extra kernel command line, e.g. "lsm=lockdown,capability,landlock,yama,apparmor,bpf"
#   KLAB_ENV      space-separated names of host env vars to pass into the guest
#   KLAB_VERBOSE  1 = also copy the serial console to stderr live
#   KLAB_REBUILD  1 = force rebuilding initramfs/module index
set -euo pipefail

KLAB_DIR=${FAULTLINE_KERNEL_LAB_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/faultline/kernel-lab}
KDIR=${KLAB_KDIR:-$KLAB_DIR/kernel}
ACCEL=${KLAB_ACCEL:-auto}
MEM=${KLAB_MEM:-2G}
SMP=${KLAB_SMP:-2}
TIMEOUT=${KLAB_TIMEOUT:-900}
APPEND_EXTRA=${KLAB_APPEND:-}
MACHINE=${KLAB_MACHINE:-pc}
# boot-time trims (harmless for a throw-away test VM; override with KLAB_BOOT_APPEND=)
BOOT_APPEND=${KLAB_BOOT_APPEND-mitigations=off tsc=reliable no_timer_check i8042.noaux i8042.nokbd}
# Under TCG the guest TSC ticks at the host TSC rate; PIT calibration is flaky
# under emulation (and hangs microvm, which has no HPET/PM timer), so the host
# TSC frequency is handed over (TCG only, see run_qemu).
host_tsc_khz() {
  local mhz
  mhz=$(dmesg 2>/dev/null | sed -n -E 's/.*tsc: (Refined TSC clocksource calibration|Detected): ([0-9.]+) MHz.*/\2/p' | tail -n1)
  [ -n "$mhz" ] || mhz=$(awk -F: '/^cpu MHz/ {print $2+0; exit}' /proc/cpuinfo 2>/dev/null)
  [ -n "$mhz" ] && awk -v m="$mhz" 'BEGIN{printf "%d", m*1000}'
}

die() { echo "klab: $*" >&2; exit 125; }
unavailable() { echo "klab: $*" >&2; exit 77; }

[ $# -eq 2 ] || { echo "usage: $0 SCRIPT_FILE OUTDIR" >&2; exit 2; }
SCRIPT=$1
OUT=$2
[ -f "$SCRIPT" ] || die "no such script: $SCRIPT"
command -v qemu-system-x86_64 >/dev/null || unavailable "qemu-system-x86_64 missing (scripts/kernel-lab/fetch-kernel.sh installs it)"
[ -x /bin/busybox ] || unavailable "/bin/busybox missing (scripts/kernel-lab/fetch-kernel.sh installs busybox-static)"
command -v depmod >/dev/null || unavailable "depmod missing (scripts/kernel-lab/fetch-kernel.sh installs kmod)"

KIMG=$(ls "$KDIR"/boot/vmlinuz-* 2>/dev/null | head -n1)
[ -n "$KIMG" ] || unavailable "no kernel in $KDIR/boot (scripts/kernel-lab/fetch-kernel.sh downloads it)"
KV=${KIMG##*/vmlinuz-}
MODSRC=$KDIR/lib/modules/$KV
[ -d "$MODSRC/kernel" ] || unavailable "no modules at $MODSRC (remove $KDIR and run scripts/kernel-lab/fetch-kernel.sh)"
BUILD=$KLAB_DIR/build/$KV
MODROOT=$BUILD/modroot            # depmod base dir: $MODROOT/lib/modules/$KV
MODDIR=$MODROOT/lib/modules/$KV
INITRD=$BUILD/initramfs.cpio.gz
case "$KLAB_DIR$MODDIR" in *[[:space:],]*) die "paths must not contain spaces/commas: $KLAB_DIR";; esac

# Modules the initramfs needs before the host root is mounted (deps are added
# automatically from modules.dep).
INITRD_MODS="virtio_pci virtio_mmio 9pnet_virtio 9p overlay"

# ---------------------------------------------------------------- build ----
extract_vmlinux() { # bzImage -> ELF vmlinux, only if it carries a PVH entry note
  local img=$1 out=$2 magic pos
  for magic in '\xfd7zXZ:xz -dc --single-stream' '\x28\xb5\x2f\xfd:zstd -dcq' \
               '\x1f\x8b\x08:gzip -dc' '\x02\x21\x4c\x18:lz4 -dc'; do
    for pos in $(LC_ALL=C grep -abo "$(printf "${magic%%:*}")" "$img" 2>/dev/null | cut -d: -f1 | head -n3); do
      tail -c +$((pos + 1)) "$img" | ${magic#*:} > "$out.tmp" 2>/dev/null || true
      if [ -s "$out.tmp" ] && [ "$(head -c4 "$out.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] \
         && readelf -n "$out.tmp" 2>/dev/null | grep -q 'Unknown note type: (0x00000012)'; then
        mv -f "$out.tmp" "$out"; return 0
      fi
    done
  done
  rm -f "$out.tmp"; return 1
}

build() {
  mkdir -p "$MODDIR"
  # module tree: symlink to the unpacked .deb (read-only use) + our own index
  ln -sfn "$MODSRC/kernel" "$MODDIR/kernel"
  for f in modules.builtin modules.builtin.modinfo modules.order; do
    cp -f "$MODSRC/$f" "$MODDIR/$f"
  done
  depmod -b "$MODROOT" "$KV"

  # Uncompressed ELF vmlinux for PVH direct boot (-kernel vmlinux): skips the
  # in-guest XZ decompression + real-mode setup, which costs ~2.5 s under TCG.
  extract_vmlinux "$KIMG" "$BUILD/vmlinux" || rm -f "$BUILD/vmlinux"

  local ird=$BUILD/initramfs.d
  rm -rf "$ird"; mkdir -p "$ird"/{bin,dev,proc,sys,lower,upper,newroot,mods}
  cp /bin/busybox "$ird/bin/busybox"
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$ird/bin/$a"; done
  mknod -m 600 "$ird/dev/console" c 5 1
  mknod -m 666 "$ird/dev/null" c 1 3

  # resolve load order from modules.dep (deps listed transitively, load reversed)
  local order="" m path deps d i
  for m in $INITRD_MODS; do
    path=$(awk -v m="$m" -F: '{n=$1; sub(/.*\//,"",n); sub(/\.ko.*$/,"",n); gsub(/-/,"_",n);
                              mm=m; gsub(/-/,"_",mm); if (n==mm) {print $1; exit}}' "$MODDIR/modules.dep")
    [ -n "$path" ] || die "module $m not found in modules.dep"
    deps=$(awk -v p="$path" -F': *' '$1==p {print $2}' "$MODDIR/modules.dep")
    local rev=""; for d in $deps; do rev="$d $rev"; done
    for d in $rev $path; do
      case " $order " in *" $d "*) ;; *) order="$order $d";; esac
    done
  done
  : > "$ird/modules.list"
  for d in $order; do
    cp "$MODDIR/$d" "$ird/mods/"
    basename "$d" >> "$ird/modules.list"
  done

  cat > "$ird/init" <<'EOF_INIT'
#!/bin/sh
# klab stage 1 (initramfs, busybox)
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "klab: stage1 $(cut -d' ' -f1 /proc/uptime)s" > /dev/console
for m in $(cat /modules.list); do
  insmod /mods/$m || echo "klab: insmod $m failed" > /dev/console
done
fail() { echo "klab: FATAL: $*" > /dev/console; echo o > /proc/sysrq-trigger; sleep 5; exit 1; }
O9P=trans=virtio,version=9p2000.L,msize=512000
try_mount() { # retry a few times in case virtio probing is still going on
  for i in 1 2 3 4 5 6 7 8 9 10; do mount "$@" 2>/dev/null && return 0; sleep 0.2; done
  mount "$@"
}
echo "klab: modules loaded $(cut -d' ' -f1 /proc/uptime)s" > /dev/console
try_mount -t 9p -o $O9P,ro,cache=loose hostroot /lower || fail "cannot mount 9p hostroot"
mount -t tmpfs -o mode=755 tmpfs /upper || fail "tmpfs"
mkdir -p /upper/u /upper/w
mount -t overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w overlay /newroot \
  || fail "cannot mount overlay"
mount --move /dev /newroot/dev
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /newroot/run
mkdir -p /newroot/run/klab/job /newroot/run/lock
cp /bin/busybox /newroot/run/klab/busybox
cp /stage2 /newroot/run/klab/stage2
try_mount -t 9p -o $O9P,cache=mmap klabjob /newroot/run/klab/job || fail "cannot mount 9p klabjob"
echo "klab: switch_root $(cut -d' ' -f1 /proc/uptime)s" > /dev/console
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
exec switch_root /newroot /run/klab/busybox sh /run/klab/stage2
EOF_INIT

  cat > "$ird/stage2" <<'EOF_STAGE2'
# klab stage 2: PID 1 inside the (overlayed) host root
BB=/run/klab/busybox
J=/run/klab/job
$BB mkdir -p /run/klab/bin
$BB --install -s /run/klab/bin
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/run/klab/bin
up() { $BB cut -d' ' -f1 /proc/uptime; }
T_STAGE2=$(up)
m() { $BB mkdir -p "$4" 2>/dev/null; $BB mount -t "$1" -o "$2" "$3" "$4" || echo "klab: mount $4 failed" >&2; }
m devpts  gid=5,mode=620,ptmxmode=666 devpts /dev/pts
m tmpfs   mode=1777,nosuid,nodev      tmpfs  /dev/shm
m cgroup2 nsdelegate                  cgroup2 /sys/fs/cgroup
m securityfs rw                       securityfs /sys/kernel/security
m debugfs rw                          debugfs /sys/kernel/debug
m tracefs rw                          tracefs /sys/kernel/tracing
m bpf     mode=700                    bpf /sys/fs/bpf
$BB ln -sfn /proc/self/fd /dev/fd
$BB ln -sfn /proc/self/fd/0 /dev/stdin
$BB ln -sfn /proc/self/fd/1 /dev/stdout
$BB ln -sfn /proc/self/fd/2 /dev/stderr
$BB ln -sfn /proc/kcore /dev/core
$BB hostname klab
$BB ip link set lo up

. $J/.klab/env            # KLAB_KV, KLAB_MODDIR, KLAB_CWD, passed-through vars
$BB mkdir -p /lib/modules/$KLAB_KV
$BB mount --bind "$KLAB_MODDIR" /lib/modules/$KLAB_KV || echo "klab: module bind failed" >&2
# /boot/config-$KV & co. (bpftool feature probe, kconfig checks in tests)
$BB mkdir -p /boot
for f in config System.map vmlinuz; do
  [ -e "$KLAB_BOOTDIR/$f-$KLAB_KV" ] && $BB ln -sfn "$KLAB_BOOTDIR/$f-$KLAB_KV" /boot/$f-$KLAB_KV
done
# kernel module autoload: host kmod if installed, else busybox modprobe
[ -x /sbin/modprobe ] || [ -x /usr/sbin/modprobe ] || echo /run/klab/bin/modprobe > /proc/sys/kernel/modprobe

export HOME=/root USER=root LOGNAME=root KLAB_OUT=$J KLAB_GUEST=1
export TERM=${TERM:-dumb}
cd "$KLAB_CWD" 2>/dev/null || cd /root 2>/dev/null || cd /
$BB chmod +x $J/script 2>/dev/null
T_START=$(up)
echo "klab: script start ${T_START}s" > /dev/console
if [ "$($BB head -c2 $J/script)" = "#!" ]; then
  $J/script </dev/null >$J/stdout 2>$J/stderr
else
  /bin/sh $J/script </dev/null >$J/stdout 2>$J/stderr
fi
RC=$?
T_END=$(up)
echo $RC > $J/exit_code
echo "guest_stage2_start=$T_STAGE2 guest_script_start=$T_START guest_script_end=$T_END" > $J/.klab/guest_timing
echo "klab: script exit $RC at ${T_END}s" > /dev/console
$BB sync
cd /
$BB umount $J 2>/dev/null
echo o > /proc/sysrq-trigger
$BB sleep 3
echo b > /proc/sysrq-trigger   # poweroff failed? reboot (= exit, qemu runs with -no-reboot)
$BB sleep 10
EOF_STAGE2
  chmod +x "$ird/init"

  (cd "$ird" && find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -6 > "$INITRD.tmp")
  mv -f "$INITRD.tmp" "$INITRD"
  rm -rf "$ird"
}

mkdir -p "$BUILD"
exec 9>"$BUILD/.lock"
flock 9
if [ "${KLAB_REBUILD:-0}" = 1 ] || [ ! -s "$INITRD" ] || [ ! -s "$MODDIR/modules.dep" ] \
   || [ "$(readlink -f "$0")" -nt "$INITRD" ] || [ "$KIMG" -nt "$INITRD" ]; then
  echo "klab: building initramfs + module index for $KV" >&2
  build
fi
flock -u 9
BOOTIMG=$KIMG
[ "${KLAB_PVH:-1}" = 1 ] && [ -s "$BUILD/vmlinux" ] && BOOTIMG=$BUILD/vmlinux

# ---------------------------------------------------------------- job ------
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
case "$OUT" in *,*) OUT9=${OUT//,/,,};; *) OUT9=$OUT;; esac
rm -f "$OUT/stdout" "$OUT/stderr" "$OUT/exit_code" "$OUT/console.log" "$OUT/timing"
rm -rf "$OUT/.klab"; mkdir -p "$OUT/.klab"
[ "$(readlink -f "$SCRIPT")" = "$OUT/script" ] || cp -f "$SCRIPT" "$OUT/script"
chmod +x "$OUT/script"
{
  printf 'KLAB_KV=%q\nKLAB_MODDIR=%q\nKLAB_BOOTDIR=%q\nKLAB_CWD=%q\n' "$KV" "$MODDIR" "$KDIR/boot" "$PWD"
  for v in ${KLAB_ENV:-}; do
    [ -n "${!v+x}" ] && printf 'export %s=%q\n' "$v" "${!v}"
  done
} > "$OUT/.klab/env"

accel_args() {
  case "$1" in
    kvm) echo "-enable-kvm -cpu ${KLAB_CPU:-host}" ;;
    tcg) echo "-accel tcg,thread=multi -cpu ${KLAB_CPU:-max}" ;;
  esac
}
if [ "$ACCEL" = auto ]; then
  # /dev/kvm alone is not enough: on Firecracker/PVM hosts it is provided by
  # kvm_pvm, which can only run PVM-patched guest kernels (a stock kernel hangs
  # right after the real-mode setup). Require real VT-x/AMD-V.
  if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -q -w -E 'vmx|svm' /proc/cpuinfo \
     && [ ! -d /sys/module/kvm_pvm ]; then ACCEL=kvm; else ACCEL=tcg; fi
  AUTO=1
else
  AUTO=0
fi

run_qemu() {
  local accel=$1
  local v9p=virtio-9p-pci mach=() boot_append=$BOOT_APPEND khz
  if [ "$accel" = tcg ] && [ -z "${KLAB_BOOT_APPEND+x}" ]; then
    khz=$(host_tsc_khz || true)
    [ -n "$khz" ] && boot_append="$boot_append tsc_early_khz=$khz"
  fi
  if [ "$MACHINE" = microvm ]; then
    v9p=virtio-9p-device; mach=(-machine microvm,acpi=on,pcie=off,rtc=on,pit=on,pic=on)
  fi
  # shellcheck disable=SC2046
  QEMU_CMD=(qemu-system-x86_64 $(accel_args "$accel") "${mach[@]}"
    -m "$MEM" -smp "$SMP"
    -nographic -nodefaults -no-user-config -serial stdio -nic none -no-reboot
    -kernel "$BOOTIMG" -initrd "$INITRD"
    -append "console=ttyS0 quiet loglevel=4 panic=-1 $boot_append $APPEND_EXTRA"
    -fsdev local,id=r,path=/,security_model=none,readonly=on,multidevs=remap
    -device $v9p,fsdev=r,mount_tag=hostroot
    -fsdev local,id=j,path="$OUT9",security_model=none
    -device $v9p,fsdev=j,mount_tag=klabjob)
  echo "${QEMU_CMD[*]}" > "$OUT/.klab/qemu_cmd"
  local rc=0
  timeout -k 10 "$TIMEOUT" "${QEMU_CMD[@]}" </dev/null >"$OUT/console.log" 2>&1 &
  QPID=$!
  local TPID=""
  if [ "${KLAB_VERBOSE:-0}" = 1 ]; then
    tail -n +1 -f --pid=$QPID "$OUT/console.log" >&2 &
    TPID=$!
  fi
  wait $QPID || rc=$?
  QPID=""
  [ -n "$TPID" ] && { wait $TPID 2>/dev/null || true; }
  [ $rc -eq 124 ] && touch "$OUT/.klab/timed_out"
  return $rc
}

QPID=""
trap '[ -n "$QPID" ] && kill $QPID 2>/dev/null' EXIT
trap 'exit 130' INT TERM
T0=$(date +%s.%N)
QRC=0
run_qemu "$ACCEL" || QRC=$?
if [ ! -e "$OUT/exit_code" ] && [ "$AUTO" = 1 ] && [ "$ACCEL" = kvm ] \
   && grep -qi -E 'kvm|accel' "$OUT/console.log" && ! grep -q 'klab: stage1' "$OUT/console.log"; then
  echo "klab: KVM failed, falling back to TCG" >&2
  cp "$OUT/console.log" "$OUT/.klab/console.kvm-failed.log"
  ACCEL=tcg; QRC=0
  run_qemu "$ACCEL" || QRC=$?
fi
T1=$(date +%s.%N)

GT=$(cat "$OUT/.klab/guest_timing" 2>/dev/null || true)
{
  echo "accel=$ACCEL host_wall_seconds=$(awk -v a="$T0" -v b="$T1" 'BEGIN{printf "%.2f", b-a}') qemu_rc=$QRC"
  [ -n "$GT" ] && echo "$GT" | awk '{for(i=1;i<=NF;i++){split($i,kv,"="); v[kv[1]]=kv[2]}
     printf "guest_boot_to_script_seconds=%.2f script_seconds=%.2f\n", v["guest_script_start"], v["guest_script_end"]-v["guest_script_start"]}'
} > "$OUT/timing"

if [ -e "$OUT/.klab/timed_out" ]; then
  echo "klab: timed out (see $OUT/console.log)" >&2; exit 124
fi
if [ ! -s "$OUT/exit_code" ]; then
  echo "klab: guest did not report an exit code (see $OUT/console.log)" >&2
  tail -n 20 "$OUT/console.log" >&2 || true
  exit 125
fi
exit "$(cat "$OUT/exit_code")"
