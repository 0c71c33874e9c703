import { createContext, useContext } from 'react';
import type { Me } from './api';

export const MeContext = createContext<Me | undefined>(undefined);

/** The signed-in user (the app renders pages only once it is known). */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside the signed-in app');
  return me;
}
