import { runStoreContract } from './contract.js';
import { openStore } from './open.js';

runStoreContract('sqlite (in memory)', () => openStore('sqlite::memory:'));
