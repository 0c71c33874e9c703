// The shell: top bar (who is signed in, back to MLflow, sign out), navigation by role, and the
// page for the current path. Administrators see every page; others see their own scope.
import { useEffect, type ReactNode } from 'react';
import { api, BASE, type Me } from './api';
import { ErrorBox, Spinner } from './components/ui';
import { MeContext } from './me';
import { AccessRequestsPage } from './pages/AccessRequests';
import { AuditPage } from './pages/Audit';
import { ExplainPage } from './pages/Explain';
import { GroupsPage } from './pages/Groups';
import { PatternsPage } from './pages/Patterns';
import { ProfilePage } from './pages/Profile';
import { ResourcesPage } from './pages/Resources';
import { ServiceAccountsPage } from './pages/ServiceAccounts';
import { ProvisioningPage } from './pages/Provisioning';
import { ApiReferencePage } from './pages/ApiReference';
import { CredentialsPage } from './pages/Credentials';
import { MlflowResourcesPage } from './pages/MlflowResources';
import { RulesPage } from './pages/Rules';
import { ServiceAccountPage } from './pages/ServiceAccount';
import { TrashPage } from './pages/Trash';
import { UserPage, UsersPage } from './pages/Users';
import { Link, usePath } from './router';
import { useLoad } from './use-load';

interface NavItem {
  path: string;
  label: string;
  admin?: boolean;
}

const NAV: NavItem[] = [
  { path: '/', label: 'Profile & tokens' },
  { path: '/experiments', label: 'Experiments' },
  { path: '/models', label: 'Models' },
  { path: '/prompts', label: 'Prompts' },
  { path: '/ai-endpoints', label: 'AI-gateway endpoints' },
  { path: '/workspaces', label: 'Workspaces' },
  { path: '/deleted', label: 'Deleted items' },
  { path: '/access-requests', label: 'Access requests' },
  { path: '/explain', label: 'Explain access' },
  { path: '/audit', label: 'Audit log' },
  { path: '/users', label: 'Users', admin: true },
  { path: '/groups', label: 'Groups', admin: true },
  { path: '/patterns', label: 'Pattern rules', admin: true },
  { path: '/rules', label: 'Protected keys & defaults', admin: true },
  { path: '/service-accounts', label: 'Service accounts', admin: true },
  { path: '/credentials', label: 'Tokens & sessions', admin: true },
  { path: '/provisioning', label: 'Provisioning & sign-in', admin: true },
];

function route(path: string, me: Me): ReactNode {
  const user = /^\/users\/([^/]+)$/.exec(path);
  if (user) return <UserPage username={decodeURIComponent(user[1]!)} />;
  switch (path) {
    case '/': return <ProfilePage />;
    case '/experiments': return <ResourcesPage kind="experiment" />;
    case '/models': return <ResourcesPage kind="registered_model" />;
    case '/prompts': return <MlflowResourcesPage kind="prompt" />;
    case '/ai-endpoints': return <MlflowResourcesPage kind="gateway_endpoint" />;
    case '/workspaces': return <MlflowResourcesPage kind="workspace" />;
    case '/deleted': return <TrashPage />;
    case '/api-reference': return <ApiReferencePage />;
    case '/access-requests':
    case '/request-access': return <AccessRequestsPage />;
    case '/explain': return <ExplainPage />;
    case '/audit': return <AuditPage />;
  }
  const account = /^\/service-accounts\/([^/]+)$/.exec(path);
  if (!me.is_admin) return <NotFound admin={NAV.some((n) => n.path === path) || !!account} />;
  if (account) return <ServiceAccountPage name={decodeURIComponent(account[1]!)} />;
  switch (path) {
    case '/users': return <UsersPage />;
    case '/groups': return <GroupsPage />;
    case '/patterns': return <PatternsPage />;
    case '/service-accounts': return <ServiceAccountsPage />;
    case '/rules': return <RulesPage />;
    case '/credentials': return <CredentialsPage />;
    case '/provisioning': return <ProvisioningPage />;
  }
  return <NotFound admin={false} />;
}

function NotFound({ admin }: { admin: boolean }) {
  return (
    <main className="page">
      <h1>{admin ? 'For administrators' : 'Page not found'}</h1>
      <p className="intro">{admin ? 'This page is only available to gateway administrators.' : 'There is no such page.'} <Link to="/">Go to your profile</Link>.</p>
    </main>
  );
}

export function App() {
  const me = useLoad(() => api.get<Me>('whoami'), []);
  const path = usePath();
  useEffect(() => {
    // Move focus to the new page's heading so keyboard and screen-reader users follow navigation.
    document.getElementById('page-title')?.focus({ preventScroll: true });
  }, [path]);
  if (!me.data) {
    return <div className="boot">{me.error ? <ErrorBox error={me.error} onRetry={me.reload} /> : <Spinner label="Signing in…" />}</div>;
  }
  const user = me.data;
  const active = (p: string) => (p === '/' ? path === '/' : path === p || path.startsWith(`${p}/`));
  return (
    <MeContext.Provider value={user}>
      <a className="skip" href="#content">Skip to content</a>
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          MLflow gateway
        </div>
        <div className="topbar-right">
          <a className="topbar-link" href={`${BASE}/`}>Open MLflow</a>
          <span className="who" title={user.email ?? undefined}>
            {user.display_name ?? user.username}
            {user.is_admin && <span className="tag info">admin</span>}
          </span>
          <form method="post" action={`${BASE}/_gateway/logout`}>
            <button type="submit" className="btn ghost small">Sign out</button>
          </form>
        </div>
      </header>
      <div className="layout">
        <nav className="sidebar" aria-label="Gateway">
          <ul>
            {NAV.filter((n) => !n.admin || user.is_admin).map((n) => (
              <li key={n.path}>
                <Link to={n.path} aria-current={active(n.path) ? 'page' : undefined}>{n.label}</Link>
              </li>
            ))}
            <li className="sidebar-foot"><Link to="/api-reference" aria-current={active('/api-reference') ? 'page' : undefined}>API reference</Link></li>
          </ul>
        </nav>
        <div id="content" className="content">{route(path, user)}</div>
      </div>
    </MeContext.Provider>
  );
}
