// Groups created by administrators ahead of use: names only (the policy matches groups by name).
import type { Kysely } from 'kysely';
import type { Tables } from './schema.js';
import { isUniqueViolation } from './store-errors.js';
import type { KnownGroup, KnownGroupStore } from './types.js';

const toGroup = (r: Tables['known_groups']): KnownGroup => ({
  name: r.name, description: r.description, createdAt: new Date(Number(r.created_at)), createdBy: r.created_by,
});

export function knownGroupStore(db: Kysely<Tables>): KnownGroupStore {
  return {
    async list() {
      return (await db.selectFrom('known_groups').selectAll().orderBy('name').execute()).map(toGroup);
    },
    async get(name) {
      const r = await db.selectFrom('known_groups').selectAll().where('name', '=', name).executeTakeFirst();
      return r && toGroup(r);
    },
    async create(g) {
      try {
        await db.insertInto('known_groups').values({ name: g.name, description: g.description, created_at: g.createdAt.getTime(), created_by: g.createdBy }).execute();
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },
    async delete(name) {
      const r = await db.deleteFrom('known_groups').where('name', '=', name).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
