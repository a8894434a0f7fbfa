# Sourced by the benchmark scripts that divide a server's CPU time by the requests it served, which moves much less
# than req/s on a shared machine:
#
#   cpuTicks PID...      the CPU time (user + system, from /proc) the processes have spent so far, in clock ticks
#   ticksPerSecond       clock ticks per second
ticksPerSecond=$(getconf CLK_TCK)
cpuTicks() {
    local total=0 pid fields
    for pid in "$@"; do
        read -r -a fields < "/proc/$pid/stat"
        total=$((total + fields[13] + fields[14]))
    done
    echo "$total"
}
