"""The memory a process holds, as the kernel counts it (Linux)."""


def process_memory():
    """``{"rss_kb": …, "peak_kb": …, "anon_kb": …, "file_kb": …}`` of this
    process: its resident set now (``VmRSS``) and at its highest (``VmHWM``), and
    the resident set's two parts: the process's own memory (``RssAnon``) and the
    pages of files it maps (``RssFile``: SQLite's ``mmap_size`` maps the database,
    pages the kernel shares between processes and may drop); empty where /proc is
    missing."""
    fields = {
        "VmRSS:": "rss_kb",
        "VmHWM:": "peak_kb",
        "RssAnon:": "anon_kb",
        "RssFile:": "file_kb",
    }
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
