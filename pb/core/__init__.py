"""What every area of pb shares: the database base class, time, errors and mail."""
