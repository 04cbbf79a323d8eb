import { ALL_ADMIN_ACTIONS, adminRefusal } from "../../src/simulator/admin-actions";

const lacking = (action: string) =>
  `Unauthorized access, lacking the ${action} administrative role`;

describe("which admin action a request needs, as the appliance's front end decides it", () => {
  it.each([
    ["POST", "/api/v1/sms_gateways/send_user_credentials", "SYSTEM_CREATE"],
    ["GET", "/api/v1/nowhere", "SYSTEM_READ"],
    ["OPTIONS", "/api/v1/nowhere", "SYSTEM_READ"],
    ["PUT", "/api/v1/nowhere", "SYSTEM_UPDATE"],
    ["PATCH", "/api/v1/nowhere", "SYSTEM_UPDATE"],
    ["DELETE", "/api/v1/nowhere", "SYSTEM_DELETE"],
    ["POST", "/api/v1/nodes/search", "SYSTEM_READ"],
    ["GET", "/api/v1/user/alice", "USERS_READ"],
    ["GET", "/api/v1/user", "SYSTEM_READ"],
    ["POST", "/api/v1/users/bulk_import", "USERS_CREATE"],
    ["POST", "/api/v1/users/search", "USERS_READ"],
    ["POST", "/api/v1/users/search/more", "USERS_CREATE"],
    ["DELETE", "/api/v1/users/search", "USERS_DELETE"],
    ["DELETE", "/api/v1/user/alice", "USERS_DELETE"],
    ["GET", "/api/v1/userssomething", "USERS_READ"],
  ])("%s %s needs %s", (method, path, action) => {
    expect(adminRefusal(method, path, [])).toBe(lacking(action));
    expect(adminRefusal(method, path, [action])).toBeUndefined();
    const others = ALL_ADMIN_ACTIONS.filter((other) => other !== action);
    expect(adminRefusal(method, path, others)).toBe(lacking(action));
  });

  it("lets any account use the current_user paths, whatever its actions", () => {
    expect(adminRefusal("GET", "/api/v1/current_user", [])).toBeUndefined();
    expect(adminRefusal("DELETE", "/api/v1/current_user/x", [])).toBeUndefined();
  });

  it("refuses a method it has no suffix for, even on a path any account may use", () => {
    const message = "Impossible to find admin role suffix for unknown method TRACE";
    expect(adminRefusal("TRACE", "/api/v1/nowhere", ALL_ADMIN_ACTIONS)).toBe(message);
    expect(adminRefusal("TRACE", "/api/v1/current_user", ALL_ADMIN_ACTIONS)).toBe(message);
  });

  it("lets the ALL role do everything the simulator serves", () => {
    expect(ALL_ADMIN_ACTIONS).toEqual([
      "SYSTEM_CREATE",
      "SYSTEM_READ",
      "SYSTEM_UPDATE",
      "SYSTEM_DELETE",
      "USERS_CREATE",
      "USERS_READ",
      "USERS_UPDATE",
      "USERS_DELETE",
    ]);
  });
});
