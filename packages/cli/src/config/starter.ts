/** The starter files `pipeline init` writes: a commented pipeline.yml and a three-line app Dockerfile. */

/** What the app's CMD is for a few common runtimes; anything else runs /app/start. */
function cmdFor(base: string): string[] {
  const name = base.split('/').pop()!.split(/[:@]/)[0];
  if (name === 'node') return ['node', '/app/server.js'];
  if (name.startsWith('python')) return ['python', '/app/main.py'];
  if (name === 'nginx') return ['nginx', '-g', 'daemon off;'];
  if (/^(eclipse-temurin|openjdk|amazoncorretto)$/.test(name)) return ['java', '-jar', '/app/app.jar'];
  return ['/app/start'];
}

export function starterDockerfile(base: string): string {
  return `FROM ${base}\nCOPY . /app\nCMD ${JSON.stringify(cmdFor(base)).replace(/","/g, '", "')}\n`;
}

/** The .gitignore lines for pipeline's local state. */
const STATE_IGNORE = '# pipeline\'s local state: build record and local image copies (pipeline init)\n.pipeline/\n';

/**
 * .gitignore with `.pipeline/` in it: the new text, or undefined when it is ignored already
 * (`.pipeline`, `.pipeline/`, `/.pipeline`, `/.pipeline/`, `.pipeline/*`…).
 */
export function gitignoreWithState(current: string | undefined): string | undefined {
  if (current === undefined) return STATE_IGNORE;
  const lines = current.split(/\r?\n/).map((l) => l.trim());
  if (lines.some((l) => /^\/?\.pipeline(\/(\*\*?)?)?$/.test(l))) return undefined;
  return `${current}${current === '' || current.endsWith('\n') ? '' : '\n'}${STATE_IGNORE}`;
}

export function starterConfig(base: string, name = 'app'): string {
  return `# pipeline.yml – build → test → push → deploy. Reference: docs/configuration.md
# pipeline keeps local state beside this file in .pipeline/ (the build record: what was built, tested
# and pushed where; local copies of built images). It is never committed (pipeline init adds it to
# .gitignore) nor copied into an image; deleting it is safe: the next build finds images in the registry.
version: 1

# Where images are pushed. Credentials never go here: use docker login or the environment.
# Flags, Action inputs, PIPELINE_* and PLUGIN_* variables override these; a CI's own defaults (GitLab's
# CI_REGISTRY_IMAGE) apply only when these are unset (see docs/configuration.md).
# registry: { url: 127.0.0.1:5000, namespace: team, insecure: false }

images:
  # Three layers at most: an OS image and a middleware image, each tagged with its version,
  # and the app image, tagged with the git SHA. Uncomment to build the lower layers here too:
  # os:
  #   dockerfile: images/os/Dockerfile
  #   from: "debian:12.5"          # an external base needs a tag or digest
  #   version: "12.5"              # or { label: version } / { arg: OS_VERSION } from the Dockerfile
  #   tags: ["{version}", "{major}"]
  # node:
  #   dockerfile: images/node/Dockerfile
  #   from: os                     # another image of this file: built first
  #   version: { arg: NODE_VERSION }
  ${name}:
    dockerfile: Dockerfile
    context: .
    from: "${base}"
    tags: ["{sha}", "sha-{short}", "{branch}"]
    # executor: native             # native (no daemon) | engine (host Docker for RUN) | chroot

test:
  ${name}:
    structure:
      - { file: /app, exists: true }
      - { command: ${JSON.stringify(cmdFor(base)).replace(/","/g, '", "')} }
      # - { user: non-root }
      # - { max-size: 150MB }
    # commands:
    #   - { run: "node /app/server.js --version", expect-exit: 0 }
    # smoke: { port: 8080, http: /healthz, timeout: 20s }

lint:
  disable: []                      # rule ids, e.g. [PL009]; pipeline lint lists them
  strict: false                    # true: warnings fail too

# environments:                    # deploy targets: pipeline deploy production (docs/configuration.md)
#   production:
#     image: 127.0.0.1:5000/team/${name}   # the repository; the digest comes from pipeline build --push
#     hosts: [unix:///var/run/docker.sock]   # or tcp://HOST:2376, ssh://USER@HOST
#     replicas: 2
#     probe: { http: { path: /health }, interval: 1s, retries: 3 }
`;
}
