"""The memory a process holds, as the kernel counts it (Linux)."""


def process_memory():
    """``{"rss_kb": …, "peak_kb": …}`` of this process: its resident set now
    (``VmRSS``) and at its highest (``VmHWM``); empty where /proc is missing."""
    fields = {"VmRSS:": "rss_kb", "VmHWM:": "peak_kb"}
    found = {}
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                name, *value = line.split()
                if name in fields:
                    found[fields[name]] = int(value[0])
    except OSError:
        pass
    return found
