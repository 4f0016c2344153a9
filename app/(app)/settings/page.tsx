import type { Metadata } from 'next';
import { requireUser } from '@/lib/auth/session';
import { getDisplayCurrency } from '@/lib/valuation/display-currency';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../_components/ui/card';
import { ChangePasswordForm } from './change-password-form';
import { DisplayCurrencyForm } from './display-currency-form';
import { SignOutEverywhere } from './sign-out-everywhere';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage() {
  const user = await requireUser();
  const displayCurrency = await getDisplayCurrency(user.id);
  return (
    <div className="mx-auto flex max-w-2xl flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
        <p className="text-sm text-muted">Signed in as {user.email}</p>
      </div>
      <Card>
        <CardHeader>
          <CardTitle>Currency</CardTitle>
          <CardDescription>The currency your portfolio&apos;s values, chart and exports are shown in.</CardDescription>
        </CardHeader>
        <CardContent>
          <DisplayCurrencyForm current={displayCurrency} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Password</CardTitle>
          <CardDescription>Changing your password signs you out on every other device.</CardDescription>
        </CardHeader>
        <CardContent>
          <ChangePasswordForm />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Sessions</CardTitle>
          <CardDescription>
            Lost a device or signed in somewhere public? End every session, including this one.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <SignOutEverywhere />
        </CardContent>
      </Card>
    </div>
  );
}
