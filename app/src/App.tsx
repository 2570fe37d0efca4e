/** The app's shell: header with navigation, then the page for the current route (the dashboard loads on demand). */
import { lazy, Suspense } from "react";

import { BorrowPage } from "./borrow/BorrowPage.js";
import { Link, usePath } from "./router.js";

const SupervisorPage = lazy(async () => ({ default: (await import("./supervisor/SupervisorPage.js")).SupervisorPage }));

export function App() {
  const path = usePath().replace(/\/+$/, "") || "/";
  const supervisor = path === "/supervisor";
  return (
    <>
      <header className="app-header">
        <strong className="brand">Verity</strong>
        <nav aria-label="Main">
          <Link to="/" current={!supervisor}>
            Borrow
          </Link>
          <Link to="/supervisor" current={supervisor}>
            Supervisor
          </Link>
        </nav>
      </header>
      <main>
        {supervisor ? (
          <Suspense fallback={<p className="muted">Loading the dashboard…</p>}>
            <SupervisorPage />
          </Suspense>
        ) : (
          <BorrowPage />
        )}
      </main>
    </>
  );
}
