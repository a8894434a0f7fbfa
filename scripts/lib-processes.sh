# Sourced by scripts that run `cors serve` beside other processes: builds the release `cors`, makes a working
# directory in $work, and on exit stops every process whose pid was added to $pids and removes $work.
swift build -c release --build-path .build-release --product cors > /dev/null
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
    wait 2> /dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
