import { render } from "preact";
import { Layout } from "./components/layout";
import { ErrorNote, Loading } from "./components/ui";
import { AccountPage } from "./pages/account";
import { AssetsPage } from "./pages/assets";
import { BillingPage } from "./pages/billing";
import { DashboardPage } from "./pages/dashboard";
import { JobPage } from "./pages/job";
import { JobsPage } from "./pages/jobs";
import { WebhooksPage } from "./pages/webhooks";
import { useRoute } from "./router";
import { start, useSession } from "./session";
import "./styles.css";

function Page() {
  const { segments, query } = useRoute();
  const [first = "", second] = segments;
  if (first === "jobs" && second) return <JobPage id={second} />;
  switch (first) {
    case "assets":
      return <AssetsPage />;
    case "jobs":
      return <JobsPage />;
    case "webhooks":
      return <WebhooksPage />;
    case "account":
      return <AccountPage />;
    case "billing":
      return <BillingPage query={query} />;
    default:
      return <DashboardPage />;
  }
}

function App() {
  const { ready, startError } = useSession();
  const { segments } = useRoute();
  return (
    <Layout current={segments[0] ?? ""}>
      {!ready ? <Loading what="the console" /> : startError ? <ErrorNote error={startError} title="The console could not start" /> : <Page />}
    </Layout>
  );
}

render(<App />, document.getElementById("app")!);
void start();
