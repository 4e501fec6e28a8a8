#!/bin/sh
# The plugin image's entrypoint. Drone and Woodpecker start a plugin step without a command: that runs
# the plugin. GitLab starts every job image with its shell script as the command: that runs as given,
# as the official images' entrypoints do (so `entrypoint: [""]` is not needed, and does no harm).
if [ "$#" -eq 0 ]; then
  exec node /opt/pipeline/pipeline.mjs plugin
fi
exec "$@"
