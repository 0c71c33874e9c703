import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Tables } from './schema.js';
import { inTransaction } from './in-transaction.js';
import type { ServiceAccount, ServiceAccountStore } from './types.js';
import { toUser } from './user-row.js';
import { withRoleGroups, withoutRoleGroups } from './role-groups.js';

type Row = Selectable<Tables['users']> & { description: string | null; created_by: string };

function toAccount(r: Row): ServiceAccount {
  return { user: toUser(r), description: r.description, createdBy: r.created_by };
}

export function serviceAccountStore(db: Kysely<Tables>): ServiceAccountStore {
  const query = () => db.selectFrom('users').innerJoin('service_accounts', 'service_accounts.user_id', 'users.id')
    .selectAll('users').select(['service_accounts.description', 'service_accounts.created_by']);

  return {
    async create(a, now) {
      // The subject key never collides with an IdP identity (`<issuer>#<sub>`), and a re-created
      // account with the same name is a new subject (its runs are told apart from the old one's).
      const user = {
        id: randomUUID(), subject_key: `service-account:${randomUUID()}`, username: a.username, email: null, display_name: null,
        groups_json: JSON.stringify(withoutRoleGroups(a.groups)), is_admin: a.isAdmin ? 1 : 0, disabled: 0, kind: 'service', created_at: now.getTime(), last_login_at: null, provider: null,
      };
      await inTransaction(db, async (trx) => {
        await trx.insertInto('users').values(user).execute();
        await trx.insertInto('service_accounts').values({ user_id: user.id, description: a.description, created_by: a.createdBy }).execute();
      });
      return toAccount({ ...user, description: a.description, created_by: a.createdBy });
    },
    async get(username) {
      const r = await query().where('users.username', '=', username).where('users.kind', '=', 'service').executeTakeFirst();
      return r && toAccount(r);
    },
    async list() {
      return (await query().where('users.kind', '=', 'service').orderBy('users.username').execute()).map(toAccount);
    },
    async update(userId, changes) {
      await inTransaction(db, async (trx) => {
        const user = {
          ...(changes.groups !== undefined ? { groups_json: JSON.stringify(await withRoleGroups(trx, userId, changes.groups)) } : {}),
          ...(changes.isAdmin !== undefined ? { is_admin: changes.isAdmin ? 1 : 0 } : {}),
        };
        if (Object.keys(user).length > 0) await trx.updateTable('users').set(user).where('id', '=', userId).where('kind', '=', 'service').execute();
        if (changes.description !== undefined) await trx.updateTable('service_accounts').set({ description: changes.description }).where('user_id', '=', userId).execute();
      });
    },
    async delete(userId) {
      // Explicit deletes rather than relying on ON DELETE CASCADE alone: grants and pattern rules
      // name the account without a foreign key, and not every deployment enforces foreign keys.
      return inTransaction(db, async (trx) => {
        await trx.deleteFrom('grants').where('principal_type', '=', 'user').where('principal', '=', userId).execute();
        await trx.deleteFrom('pattern_rules').where('principal_type', '=', 'user').where('principal', '=', userId).execute();
        await trx.deleteFrom('trust_rules').where('service_account_id', '=', userId).execute();
        await trx.deleteFrom('oauth_clients').where('service_account_id', '=', userId).execute();
        await trx.deleteFrom('api_tokens').where('user_id', '=', userId).execute();
        await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
        await trx.deleteFrom('service_accounts').where('user_id', '=', userId).execute();
        const r = await trx.deleteFrom('users').where('id', '=', userId).where('kind', '=', 'service').executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      });
    },
  };
}
