# Sourced by the benchmark scripts that divide a server's CPU time by the requests it served, which moves much less
# than req/s on a shared machine:
#
#   cpuTicks PID...      the CPU time (user + system, from /proc) the processes have spent so far, in clock ticks
#   userTicks PID...     the user part of it alone: the processes' own code, without the kernel's I/O and wake-ups
#   ticksPerSecond       clock ticks per second
ticksPerSecond=$(getconf CLK_TCK)
cpuTicks() { sumStat 13 14 "$@"; }
userTicks() { sumStat 13 13 "$@"; }
# The sum of the fields FIRST to LAST of /proc/PID/stat (counted from 0) over the processes.
sumStat() {
    local first=$1 last=$2 total=0 pid fields field
    shift 2
    for pid in "$@"; do
        read -r -a fields < "/proc/$pid/stat"
        for field in $(seq "$first" "$last"); do total=$((total + fields[field])); done
    done
    echo "$total"
}
