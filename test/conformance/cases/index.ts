// Every conformance case, by theme. A new file of cases is added here.
import type { Case } from '../case.js';
import { copyDestination } from './copy-destination.js';

export const allCases: Case[] = [...copyDestination];
