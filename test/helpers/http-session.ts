/**
 * A signed-in browser, reduced to fetch and a cookie, for a server running in another process (where
 * supertest's in-process agent cannot go).
 */
export interface HttpSession {
  get(path: string): Promise<Response>;
  /** Posts a form with the CSRF token of the page at `formPage`. */
  postForm(path: string, fields: Record<string, string>, formPage: string): Promise<Response>;
}

function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no _csrf field in the page');
  return m[1];
}

export async function signInOverHttp(base: string, email: string, password: string): Promise<HttpSession> {
  let cookie = '';
  const remember = (res: Response) => {
    for (const c of res.headers.getSetCookie()) cookie = c.split(';')[0];
  };
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: { cookie }, redirect: 'manual' });
    remember(res);
    return res;
  };
  const postForm = async (path: string, fields: Record<string, string>, formPage: string) => {
    const _csrf = csrfOf(await (await get(formPage)).text());
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, _csrf }),
      redirect: 'manual',
    });
    remember(res);
    return res;
  };
  const login = await postForm('/admin/login', { email, password }, '/admin/login');
  if (login.status !== 303) throw new Error(`sign-in failed: ${login.status}`);
  return { get, postForm };
}
