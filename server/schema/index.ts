/** The GraphQL schema: the builder plus every domain file. */
import { builder } from './builder.ts';
import './keys.ts';
import './quotas.ts';
import './policy.ts';
import './tier-policies.ts';
import './models.ts';
import './usage.ts';
import './inference.ts';
import './audit.ts';
import './upstreams.ts';
import './replicas.ts';
import './teams.ts';

export const schema = builder.toSchema();
