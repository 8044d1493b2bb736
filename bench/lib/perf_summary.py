"""CPU samples per 1,000 requests from `perf script -F comm,tid,ip,sym` output (bench/profile.sh).

Usage: perf_summary.py SAMPLES_FILE REQUESTS [FRAME_REGEX ...]
Prints the samples per 1,000 requests of each thread name, and for each FRAME_REGEX the samples whose stack has a
frame matching it (inclusive). Comparable between two runs only when both sampled at the same frequency.
"""
import collections
import re
import sys


def stacks(path):
    """Yields (thread name, [frames, innermost first]) for each sample."""
    thread, frames = None, []
    with open(path, errors="replace") as lines:
        for line in lines:
            line = line.rstrip("\n")
            if not line.strip():
                if thread is not None:
                    yield thread, frames
                thread, frames = None, []
            elif not line[0].isspace():
                parts = line.split()
                thread, frames = " ".join(parts[:-1]) or parts[0], []
            else:
                parts = line.strip().split(" ", 1)
                frames.append(parts[-1])
    if thread is not None:
        yield thread, frames


def main():
    path, requests, patterns = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    if requests <= 0:
        sys.exit("no requests counted; see the wrk output")
    samples = list(stacks(path))
    per_thousand = 1000.0 / requests
    print(f"samples per 1,000 requests: {len(samples) * per_thousand:.1f} ({len(samples)} samples, {requests:.0f} requests)")
    by_thread = collections.Counter(thread for thread, _ in samples)
    for thread, count in by_thread.most_common(10):
        print(f"  thread {thread:28s} {count * per_thousand:7.1f}")
    for pattern in patterns:
        regex = re.compile(pattern)
        count = sum(1 for _, frames in samples if any(regex.search(frame) for frame in frames))
        print(f"  frames matching {pattern:40s} {count * per_thousand:7.1f}")


if __name__ == "__main__":
    main()
