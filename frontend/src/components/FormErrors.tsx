import { isApiError } from '../api/client';
import { detailMessages } from '../api/errorDetails';
import { errorMessage } from './ErrorPanel';

/** An API error as a message plus every field message from its `details` (role="alert"). */
export function FormErrors({ error, extra = [] }: { error?: unknown; extra?: string[] }) {
  const messages = [...extra];
  if (error != null) {
    const details = isApiError(error) ? detailMessages(error.details) : [];
    const main = errorMessage(error);
    // The message often repeats the first detail (invalid_columns); then the details say it all.
    if (!details.includes(main)) messages.unshift(main);
    messages.push(...details);
  }
  if (messages.length === 0) return null;
  return (
    <div className="form-error" role="alert">
      {messages.length === 1 ? (
        <p>{messages[0]}</p>
      ) : (
        <ul>
          {messages.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
