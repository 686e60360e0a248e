import type { ServiceModule } from '../platform/service.js';
import { criticality } from './criticality/index.js';
import { movies } from './movies/index.js';
import { shop } from './shop/index.js';
import { showcase } from './showcase/index.js';
import { tracking } from './tracking/index.js';

/** Every service the product can run, in the order the index lists them. */
export const SERVICES: ServiceModule[] = [shop, tracking, criticality, movies, showcase];
