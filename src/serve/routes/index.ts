import type { RoutePlugin } from "../route-plugin";
import { batchRoutes } from "./batch-routes";
import { deliveryRoutes } from "./delivery-routes";
import { registrationRoutes } from "./registration-routes";

/** Every part of the HTTP API, in the order buildApp registers them: add a new one here. */
export const ROUTE_PLUGINS: readonly RoutePlugin[] = [
  deliveryRoutes,
  batchRoutes,
  registrationRoutes,
];
