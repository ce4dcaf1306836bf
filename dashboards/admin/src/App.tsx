import { useCallback, useState } from 'react';
import { AuthError } from './api';
import { Dashboard } from './components/Dashboard';
import { Login } from './components/Login';

// sessionStorage, not localStorage: the key is gone when the tab closes.
const STORAGE_KEY = 'resync.adminKey';

export function App() {
  const [apiKey, setApiKey] = useState<string | null>(() => sessionStorage.getItem(STORAGE_KEY));
  const [loginMessage, setLoginMessage] = useState<string | null>(null);

  const signIn = useCallback((key: string) => {
    sessionStorage.setItem(STORAGE_KEY, key);
    setLoginMessage(null);
    setApiKey(key);
  }, []);

  const signOut = useCallback((message: string | null = null) => {
    sessionStorage.removeItem(STORAGE_KEY);
    setApiKey(null);
    setLoginMessage(message);
  }, []);

  const onAuthError = useCallback(
    (error: AuthError) => {
      const what = error.status === 401 ? 'Signed out' : 'Access denied';
      signOut(`${what}: ${error.message}`);
    },
    [signOut],
  );

  return (
    <>
      <div className="grid-backdrop" aria-hidden="true" />
      <div className="scanlines" aria-hidden="true" />
      {apiKey ? (
        <Dashboard apiKey={apiKey} onAuthError={onAuthError} onSignOut={() => signOut()} />
      ) : (
        <Login message={loginMessage} onSignIn={signIn} />
      )}
    </>
  );
}
