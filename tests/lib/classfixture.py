"""One fixture per test class, made in a temp dir of its own, that cleans up
after itself even when it fails half-way (tests/lib/README.md)."""

import os
import shutil
import tempfile
import unittest


class ClassFixtureTest(unittest.TestCase):
    """setUpClass makes cls.tmp (prefix `tmp_prefix`, mode `tmp_mode`) and
    calls the subclass's _set_up(). If that raises, _tear_down() runs before
    the error goes on, so a broken set-up leaves no agent, user or file
    behind. tearDownClass runs _tear_down() and then removes cls.tmp.
    _tear_down must cope with a half-made fixture (getattr with defaults)."""

    tmp_prefix = "sg-"
    tmp_mode = 0o700

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix=cls.tmp_prefix)
        try:
            os.chmod(cls.tmp, cls.tmp_mode)
            cls._set_up()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls._tear_down()
        finally:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def _set_up(cls):
        pass

    @classmethod
    def _tear_down(cls):
        pass
