/** The app's shell: header with navigation, then the page for the current route. */
import { BorrowPage } from "./borrow/BorrowPage.js";
import { Link, usePath } from "./router.js";
import { SupervisorPage } from "./supervisor/SupervisorPage.js";

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
      <main>{supervisor ? <SupervisorPage /> : <BorrowPage />}</main>
    </>
  );
}
