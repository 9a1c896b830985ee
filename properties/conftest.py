"""In a clone without an install: register trainspec's pytest plugin (:mod:`properties.plugin`).

An installed trainspec (``pip install "trainspec[test]"``, or ``pip install -e ".[test]"`` in a
clone) provides the plugin through its ``pytest11`` entry point ``trainspec``; then this file
does nothing, so the plugin is never registered twice (pytest refuses that). Without an install
(``python -m pytest`` in a clone, or ``PYTHONPATH=.``) nothing else loads it, and this
conftest, which pytest loads before parsing the options when the run names ``properties/`` or
the repository root, registers it under the same name. ``-p no:trainspec`` disables it either way.
"""


def pytest_addhooks(pluginmanager):
    from properties import plugin

    if pluginmanager.is_registered(plugin) or pluginmanager.has_plugin(plugin.NAME) \
            or pluginmanager.is_blocked(plugin.NAME):
        return
    pluginmanager.register(plugin, plugin.NAME)
