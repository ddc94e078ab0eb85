import type { RouteObject } from 'react-router-dom';
import { AppShell } from './components/AppShell';
import { RequireAuth } from './components/RequireAuth';
import { RouteError } from './components/RouteError';
import { DatasetsPage } from './pages/DatasetsPage';
import { HistoryPage } from './pages/HistoryPage';
import { HomePage } from './pages/HomePage';
import { LoginPage } from './pages/LoginPage';
import { ModulesPage } from './pages/ModulesPage';
import { ModuleTypesPage } from './pages/ModuleTypesPage';
import { NotFoundPage } from './pages/NotFoundPage';

/** The app's routes (used by createBrowserRouter in main.tsx and by createMemoryRouter in tests). */
export const routes: RouteObject[] = [
  { path: '/login', element: <LoginPage />, errorElement: <RouteError /> },
  {
    path: '/',
    element: (
      <RequireAuth>
        <AppShell />
      </RequireAuth>
    ),
    errorElement: <RouteError />,
    children: [
      { index: true, element: <HomePage /> },
      { path: 'datasets', element: <DatasetsPage /> },
      { path: 'module-types', element: <ModuleTypesPage /> },
      { path: 'modules', element: <ModulesPage /> },
      { path: 'history', element: <HistoryPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
