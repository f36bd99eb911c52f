#!/usr/bin/python3
"""Run a command on a terminal of its own, as a user at a terminal would, for test-term.sh.

    ptyrun.py [--log FILE] [STEP...] -- COMMAND [ARGS...]

COMMAND runs in a new session whose controlling terminal is a new pty (the
"caller's terminal" of the test).  The STEPs then run in order:

    tty             print "caller-tty MAJ:MIN", the device of that terminal
    expect:REGEX    wait until COMMAND's output so far matches REGEX
    send:TEXT       type TEXT (backslash escapes: \\n, \\x04 ...)

Then it waits for COMMAND to end and prints "exit N", and everything COMMAND
wrote ("output: ..." lines, carriage returns removed).  With --log, output is
also appended to FILE as it comes, so that a test can watch it.  A step that
does not happen within 30 s fails (exit 3); that is a bound for a hang, not a
measurement.
"""
import fcntl
import os
import re
import select
import sys
import termios
import time

DEADLINE = 30.0


def spawn(argv):
    master, slave = os.openpty()
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    st = os.fstat(slave)
    os.close(slave)
    return pid, master, st.st_rdev


class Output:
    def __init__(self, master, log):
        self.master, self.log, self.text, self.open = master, log, "", True

    def pump(self, timeout):
        """Read what is there within timeout; False once the terminal has no other side."""
        if not self.open:
            return False
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.master, 4096)
        except OSError:  # EIO: every process holding the terminal has closed it
            data = b""
        if not data:
            self.open = False
            return False
        chunk = data.decode("utf-8", "replace").replace("\r", "")
        self.text += chunk
        if self.log:
            with open(self.log, "a") as f:
                f.write(chunk)
        return True


def main():
    args = sys.argv[1:]
    log = None
    if args[:1] == ["--log"]:
        log, args = args[1], args[2:]
    if "--" not in args:
        print("usage: ptyrun.py [--log FILE] [STEP...] -- COMMAND [ARGS...]")
        return 2
    split = args.index("--")
    steps, argv = args[:split], args[split + 1:]
    pid, master, rdev = spawn(argv)
    out = Output(master, log)
    status = 0
    for step in steps:
        kind, _, arg = step.partition(":")
        if kind == "tty":
            print("caller-tty %d:%d" % (os.major(rdev), os.minor(rdev)))
        elif kind == "send":
            os.write(master, arg.encode().decode("unicode_escape").encode("latin-1"))
        elif kind == "expect":
            end = time.monotonic() + DEADLINE
            while not re.search(arg, out.text) and time.monotonic() < end:
                if not out.pump(0.1):
                    break
            if not re.search(arg, out.text):
                print("step %s: not seen" % step)
                status = 3
                break
    end = time.monotonic() + (DEADLINE if status == 0 else 0)
    code = None
    while code is None:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(st)
        elif time.monotonic() > end:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            print("timeout: killed")
            code, status = -9, 3
        else:
            out.pump(0.1)
    while out.pump(0.1):
        pass
    print("exit %d" % code)
    for line in out.text.splitlines():
        print("output: " + line)
    return status


if __name__ == "__main__":
    sys.exit(main())
