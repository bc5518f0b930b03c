#!/usr/bin/python3
"""Runs a program in an umockdev testbed and plugs or unplugs emulated USB devices on command.

Started under umockdev-wrapper (so libudev calls here see the testbed too):
    umockdev-wrapper /usr/bin/python3 usb_testbed.py CONTROL_FIFO -- PROGRAM ARGS...
Commands, one per line on CONTROL_FIFO:
    plug DEVICE_FILE PCAP_FILE   add the device (umockdev-record format), load its usbmon pcap, send "add"
    unplug [NAME]                send "remove" for the last plugged device (or the one whose sysfs
                                 name is NAME, such as 1-3) and take it away
    run OUTPUT_FILE ARGS...      run a command inside the testbed, its output to OUTPUT_FILE, then
                                 create OUTPUT_FILE.done
The device is added without DEVTYPE first and given it just before the uevent, so the program
does not open it before its traffic is loaded. Exits when the program does.
"""
import os
import signal
import subprocess
import sys
import threading
import time

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402

control, program = sys.argv[1], sys.argv[3:]
testbed = UMockdev.Testbed.new()
child = subprocess.Popen(program, env=dict(os.environ, UMOCKDEV_DIR=testbed.get_root_dir()))
# Signals meant for the program (SIGTERM to stop it, SIGHUP to reload) go to it.
for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(number, lambda received, _frame: child.send_signal(received))


def serve_commands():
    plugged = []  # sysfs paths, in plug order
    with open(control) as commands:
        for line in commands:
            words = line.split()
            if not words:
                continue
            if words[0] == "plug":
                description = open(words[1]).read()
                testbed.add_from_string(description.replace("E: DEVTYPE=usb_device\n", ""))
                syspath = "/sys" + next(l[3:] for l in description.splitlines() if l.startswith("P: "))
                testbed.load_pcap(syspath, words[2])
                testbed.set_property(syspath, "DEVTYPE", "usb_device")
                testbed.uevent(syspath, "add")
                plugged.append(syspath)
            elif words[0] == "unplug" and plugged:
                chosen = [p for p in plugged if len(words) == 1 or p.rsplit("/", 1)[-1] == words[1]]
                if chosen:
                    syspath = chosen[-1]
                    testbed.uevent(syspath, "remove")
                    testbed.remove_device(syspath)
                    plugged.remove(syspath)
            elif words[0] == "run":
                with open(words[1], "w") as output:
                    subprocess.run(words[2:], stdout=output, stderr=subprocess.STDOUT,
                                   env=dict(os.environ, UMOCKDEV_DIR=testbed.get_root_dir()))
                open(words[1] + ".done", "w").close()


# Commands are read on their own thread: the harness ends with the program, whatever the FIFO does.
# The main thread polls rather than blocking in wait(): a signal that lands on another thread is
# only acted on when the main thread runs Python code again.
threading.Thread(target=serve_commands, daemon=True).start()
while child.poll() is None:
    time.sleep(0.05)
sys.exit(child.returncode)
