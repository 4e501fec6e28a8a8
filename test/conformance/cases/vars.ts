// ARG and ENV: declaration, scope, defaults and expansion (Dockerfile reference "Environment
// replacement": $var, ${var}, ${var:-word}, ${var:+word}; "Understand how ARG and FROM interact").
import type { Case } from '../case.js';

export const vars: Case[] = [
  {
    name: 'arg-before-from',
    why: 'reference: an ARG before FROM is usable in FROM; it must be redeclared to be used in the stage',
    dockerfile: 'ARG BASE={{busybox}}\nARG VERSION=1.0\nFROM $BASE\nARG VERSION\nLABEL version=$VERSION\nENV V=${VERSION}\n',
  },
  {
    name: 'arg-defaults-and-alternates',
    why: 'reference: ${X:-word} and ${X:+word} with set, empty and unset variables',
    dockerfile: [
      'FROM {{busybox}}',
      'ARG SET=value',
      'ARG EMPTY=',
      'ARG UNSET',
      'ENV A=${SET:-dflt} B=${EMPTY:-dflt} C=${UNSET:-dflt} D=${SET:+alt} E=${EMPTY:+alt} F=${UNSET:+alt}',
      'ENV G="${SET}-${UNSET}-$SET" H=\'$SET\' I=\\$SET',
      '',
    ].join('\n'),
  },
  {
    name: 'build-arg-overrides',
    why: 'reference: --build-arg overrides an ARG default; an ARG without default takes it too',
    dockerfile: 'FROM {{busybox}}\nARG MODE=dev\nARG TAG\nENV MODE=$MODE TAG=${TAG:-none}\nLABEL mode=$MODE\n',
    buildArgs: { MODE: 'prod', TAG: 'v2' },
  },
  {
    name: 'env-expansion-in-copy-and-workdir',
    why: 'real world: ENV APP_HOME=/srv/app, WORKDIR $APP_HOME, COPY into ${APP_HOME}/conf/',
    dockerfile: 'FROM {{busybox}}\nENV APP_HOME=/srv/app\nWORKDIR $APP_HOME\nCOPY f ${APP_HOME}/conf/\nCOPY f $APP_HOME/f2\n',
    files: { f: 'f\n' },
  },
  {
    name: 'env-forms',
    why: 'reference: ENV key=value pairs with quotes and escapes, and the legacy ENV key value form',
    dockerfile: 'FROM {{busybox}}\nENV A=1 B="two words" C=three\\ words\nENV LEGACY some value here\nENV D=$A$B\n',
  },
  {
    name: 'env-path-default',
    why: 'Docker puts the default PATH in the config of an image whose base has none: ENV PATH=/opt/bin:$PATH',
    dockerfile: 'FROM scratch\nENV PATH=/opt/bin:$PATH\nCOPY f /opt/bin/f\n',
    files: { f: 'f\n' },
  },
  {
    name: 'env-path-default-untouched',
    why: 'FROM scratch with only other ENVs: Docker still records its default PATH',
    dockerfile: 'FROM scratch\nENV APP=1\nCOPY f /f\n',
    files: { f: 'f\n' },
  },
  {
    name: 'env-path-append',
    why: 'real world: ENV PATH=$PATH:/app/node_modules/.bin on a base that sets PATH',
    dockerfile: 'FROM {{busybox}}\nENV PATH=$PATH:/app/node_modules/.bin\n',
  },
  {
    name: 'arg-and-env-same-name',
    why: 'reference: an ENV overrides an ARG of the same name from its line on',
    dockerfile: 'FROM {{busybox}}\nARG X=fromarg\nLABEL before=$X\nENV X=fromenv\nLABEL after=$X\n',
    buildArgs: { X: 'given' },
  },
  {
    name: 'arg-scope-per-stage',
    why: 'reference: an ARG ends with its stage; a later stage must declare it again',
    dockerfile: 'FROM {{busybox}} AS a\nARG NAME=first\nENV IN_A=$NAME\nFROM {{busybox}}\nENV IN_B=x$NAME\nARG NAME\nENV IN_B2=x$NAME\n',
  },
  {
    name: 'platform-args',
    why: 'BuildKit predefines TARGETPLATFORM, TARGETOS, TARGETARCH once declared with ARG',
    dockerfile: 'FROM {{busybox}}\nARG TARGETPLATFORM\nARG TARGETOS\nARG TARGETARCH\nENV P=$TARGETPLATFORM O=$TARGETOS A=$TARGETARCH\n',
  },
];
