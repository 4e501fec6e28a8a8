// Every conformance case, by theme. A new file of cases is added here.
import type { Case } from '../case.js';
import { add } from './add.js';
import { chownChmod } from './chown-chmod.js';
import { copyDestination } from './copy-destination.js';
import { dockerignore } from './dockerignore.js';
import { metadata } from './metadata.js';
import { modesLinks } from './modes-links.js';
import { run } from './run.js';
import { stages } from './stages.js';
import { vars } from './vars.js';
import { workdir } from './workdir.js';

export const allCases: Case[] = [...copyDestination, ...modesLinks, ...chownChmod, ...vars, ...workdir, ...stages, ...dockerignore, ...add, ...metadata, ...run];
