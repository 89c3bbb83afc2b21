"""Lets spyne 2.14.0 (the last release) import on CPython 3.12+.

spyne vendors six 1.14, whose meta-path importer for ``spyne.util.six.moves`` only has the
``find_module``/``load_module`` protocol that Python 3.12 no longer consults (spyne issue
#700, fixed upstream after the release). This hook lets ``spyne.util.six`` execute normally
and then gives its importer class the ``find_spec`` protocol, exactly as six 1.16 did, before
anything imports from ``moves``. It changes nothing on 3.11, where it is not installed.
(CPython 3.13 also removed ``cgi``, which spyne imports; the ``legacy-cgi`` dependency
provides it.)
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys

_TARGET = "spyne.util.six"


def _find_spec(self, fullname, path, target=None):
    if fullname in self.known_modules:
        return importlib.util.spec_from_loader(fullname, self)
    return None


def _create_module(self, spec):
    return self.load_module(spec.name)


def _exec_module(self, module):
    pass


def _patch(six_module) -> None:
    importer = six_module._SixMetaPathImporter
    if not hasattr(importer, "find_spec"):
        importer.find_spec = _find_spec
        importer.create_module = _create_module
        importer.exec_module = _exec_module


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, wrapped):
        self.wrapped = wrapped

    def create_module(self, spec):
        return self.wrapped.create_module(spec)

    def exec_module(self, module):
        self.wrapped.exec_module(module)
        _patch(module)


class _SpyneSixFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname != _TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _PatchingLoader(spec.loader)
        return spec


def install() -> None:
    if sys.version_info < (3, 12):
        return
    if _TARGET in sys.modules:
        _patch(sys.modules[_TARGET])
        return
    if not any(isinstance(finder, _SpyneSixFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SpyneSixFinder())
