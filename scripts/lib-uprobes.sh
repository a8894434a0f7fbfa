# Sourced by the scripts that count calls of library functions with uprobes (`perf probe`, root and linux-perf):
#
#   uprobes BINARY LIBRARY FUNCTION...    probes FUNCTIONs of LIBRARY (libswiftCore.so, libc.so...) as BINARY loads
#                                         it, and appends their events to $uprobeEvents (comma-separated, in order:
#                                         probe_libc:malloc,...), for `perf stat -e` or `perf record -e`
#   removeUprobes                         removes every probe added (call it on exit)
#
# A probe of the same name left by an earlier run that was killed is replaced, not an error.
uprobeEvents=""
addedUprobes=()
uprobes() {
    local binary=$1 name=$2
    shift 2
    local library group
    library=$(ldd "$binary" | awk -v name="/$name" 'index($3, name) { print $3; exit }')
    group=probe_${name%%.so*}
    for function in "$@"; do
        perf probe -q -d "$group:$function" 2> /dev/null || true
        perf probe -q -x "$library" -a "$function" > /dev/null
        addedUprobes+=("$group:$function")
        uprobeEvents+="${uprobeEvents:+,}$group:$function"
    done
}
removeUprobes() {
    for probe in "${addedUprobes[@]}"; do perf probe -q -d "$probe" 2> /dev/null || true; done
}
