#!/bin/sh
# `pipeline …` in the plugin image (GitLab job scripts, `docker run IMAGE pipeline doctor`).
exec node /opt/pipeline/pipeline.mjs "$@"
