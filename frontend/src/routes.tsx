import type { RouteObject } from 'react-router-dom';
import { AppShell } from './components/AppShell';
import { RequireAuth } from './components/RequireAuth';
import { RouteError } from './components/RouteError';
import { DatasetsPage } from './pages/DatasetsPage';
import { DatasetDetailPage } from './pages/datasets/DatasetDetailPage';
import { DatasetTypeDetailPage } from './pages/datasettypes/DatasetTypeDetailPage';
import { DatasetTypesPage } from './pages/datasettypes/DatasetTypesPage';
import { HistoryPage } from './pages/HistoryPage';
import { HomePage } from './pages/HomePage';
import { LoginPage } from './pages/LoginPage';
import { ComparePage } from './pages/modules/ComparePage';
import { RunDetailsPage } from './pages/modules/RunDetailsPage';
import { ModulesPage } from './pages/ModulesPage';
import { ModuleTypesPage } from './pages/ModuleTypesPage';
import { VersionManagerPage } from './pages/moduletypes/VersionManagerPage';
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
      { path: 'datasets/:id', element: <DatasetDetailPage /> },
      { path: 'dataset-types', element: <DatasetTypesPage /> },
      { path: 'dataset-types/:id', element: <DatasetTypeDetailPage /> },
      { path: 'module-types', element: <ModuleTypesPage /> },
      { path: 'module-types/:id', element: <VersionManagerPage /> },
      {
        // CodeMirror and React Flow load with the editor, not with the app.
        path: 'module-type-versions/:id',
        lazy: async () => ({ Component: (await import('./pages/moduletypes/VersionEditorPage')).VersionEditorPage }),
      },
      { path: 'modules', element: <ModulesPage /> },
      { path: 'modules/compare', element: <ComparePage /> },
      {
        // The type's algorithm (CodeMirror) and diagram (React Flow) load with the editor.
        path: 'modules/:id',
        lazy: async () => ({ Component: (await import('./pages/modules/ModuleEditorPage')).ModuleEditorPage }),
      },
      { path: 'history', element: <HistoryPage /> },
      { path: 'runs/:id', element: <RunDetailsPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
