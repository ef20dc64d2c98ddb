/**
 * Which model a request names and whether a key may see or use it: one set of rules for every face
 * (REST, /v1, /ollama, GraphQL).
 * - A name without a tag means `name:latest`, as in Ollama, unless the catalogue has the bare name.
 * - A key with an allow-list uses only those models; any other is 403 when used, and hidden (404 or
 *   null) when looked up or listed.
 * - Inactive or unavailable models are 404 for everyone; admins may still see them when they ask to.
 */
import type { Principal } from '../auth/key-store.ts';
import type { Model } from '../db/generated/client.ts';
import { errors, isGatewayError } from '../errors.ts';
import type { Catalogue } from './catalogue.ts';

/** The catalogue id a request's model name stands for (`llama3` -> `llama3:latest` when only that exists). */
function resolveModelId(catalogue: Pick<Catalogue, 'get'>, name: string): string {
  return !name.includes(':') && !catalogue.get(name) && catalogue.get(`${name}:latest`) ? `${name}:latest` : name;
}

/** The model a key may run: 400 without a name, 404 unknown or inactive, 403 outside its allow-list. */
export function requireUsableModel(catalogue: Pick<Catalogue, 'get' | 'require'>, principal: Principal, name: unknown): Model {
  if (typeof name !== 'string' || !name) throw errors.missingModel();
  const model = catalogue.require(resolveModelId(catalogue, name));
  if (principal.allowedModels && !principal.allowedModels.has(model.id)) throw errors.modelNotAllowed(name);
  return model;
}

/** The models a key may see, by id; inactive and unavailable ones only for an admin who asks. */
export function visibleModels(catalogue: Pick<Catalogue, 'list'>, principal: Principal, { includeInactive = false } = {}): Model[] {
  const all = catalogue.list({ includeInactive: includeInactive && principal.isAdmin });
  return principal.allowedModels ? all.filter((m) => principal.allowedModels!.has(m.id)) : all;
}

/**
 * A model looked up by name (show, retrieve, GraphQL `model`): what the key may see, or undefined.
 * With includeInactive an admin's lookup also finds inactive and unavailable models, as its listings do.
 */
export function findVisibleModel(
  catalogue: Pick<Catalogue, 'get' | 'require'>,
  principal: Principal,
  name: string,
  { includeInactive = false } = {},
): Model | undefined {
  if (includeInactive && principal.isAdmin) {
    const m = catalogue.get(resolveModelId(catalogue, name));
    if (m && (!principal.allowedModels || principal.allowedModels.has(m.id))) return m;
  }
  try {
    return requireUsableModel(catalogue, principal, name);
  } catch (err) {
    if (isGatewayError(err) && (err.status === 403 || err.status === 404)) return undefined;
    throw err;
  }
}
