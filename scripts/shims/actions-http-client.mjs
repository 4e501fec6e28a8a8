// @actions/http-client as the Action's bundle sees it. @actions/core imports it only for getIDToken
// (OIDC), which pipeline never calls; the real client brings undici (~770 KiB) into every start-up.
// Called anyway, this says so instead of failing obscurely.
const unused = () => {
  throw new Error('@actions/http-client is not bundled with pipeline (getIDToken is not used)');
};

export class HttpClient {
  constructor() {
    unused();
  }
}

export class BearerCredentialHandler {
  constructor() {
    unused();
  }
}
