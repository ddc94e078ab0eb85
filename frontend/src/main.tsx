import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, RouterProvider } from 'react-router-dom';
import { LiveSocketProvider } from './live/LiveSocketProvider';
import { createQueryClient, installUnauthorizedHandler } from './queryClient';
import { routes } from './routes';
import './styles.css';

const queryClient = createQueryClient();
installUnauthorizedHandler(queryClient);
const router = createBrowserRouter(routes);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <LiveSocketProvider>
        <RouterProvider router={router} />
      </LiveSocketProvider>
    </QueryClientProvider>
  </StrictMode>,
);
